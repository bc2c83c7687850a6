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

    init(_ lines: [BasketLine]) {
        self.items = lines.map { Item(productId: $0.productId, name: $0.name, unitPrice: $0.unitPrice, quantity: $0.quantity, lineTotal: $0.unitPrice * $0.quantity) }
        self.total = items.reduce(0) { $0 + $1.lineTotal }
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
