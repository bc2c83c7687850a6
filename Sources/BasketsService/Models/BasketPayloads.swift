import ComptoirContracts
import ComptoirKit
import Foundation

/// `POST /baskets/mine/items`.
struct AddItemRequest: Decodable, Sendable {
    var productId: UUID
    var quantity: Int
}

/// `PATCH /baskets/mine/items/{product_id}`.
struct QuantityRequest: Decodable, Sendable {
    var quantity: Int
}

/// The basket as the API shows it.
struct BasketResponse: Codable, Sendable {
    struct Item: Codable, Sendable {
        var productId: UUID
        var name: String
        var unitPrice: Int
        var quantity: Int
        var lineTotal: Int
    }

    var items: [Item]
    var total: Int
    var currency: String?

    /// Prices `lines` with checked arithmetic: stored prices and quantities too large to add up
    /// (a row written before snapshots were checked) are a 409, not an overflow that stops the process.
    init(_ lines: [BasketLine]) throws {
        guard let totals = LineTotals(lines.map { (unitPrice: $0.unitPrice, quantity: $0.quantity) }) else {
            throw ProblemError.conflict("The basket's total is too large to compute; lower a quantity or remove a line.")
        }
        self.items = zip(lines, totals.lines).map { line, lineTotal in
            Item(productId: line.productId, name: line.name, unitPrice: line.unitPrice, quantity: line.quantity, lineTotal: lineTotal)
        }
        self.total = totals.total
        self.currency = lines.first?.currency
    }
}

/// What baskets needs of a product, read from the products service.
struct ProductSnapshot: Decodable, Sendable {
    var id: UUID
    var name: String
    var price: Int
    var currency: String
    var stock: Int
}

enum BasketRules {
    /// The most of one product a basket holds.
    static let maximumQuantity = 99
    /// The most distinct products a basket holds.
    static let maximumLines = 100

    static func checkQuantity(_ quantity: Int) throws {
        var validator = Validator()
        validator.expect((1...maximumQuantity).contains(quantity), "quantity", "must be between 1 and \(maximumQuantity)")
        try validator.check()
    }
}
