import ComptoirContracts
import ComptoirKit
import FluentKit
import Foundation

/// `POST /orders`.
struct CheckoutRequest: Decodable, Sendable {
    var shippingAddressId: UUID
    var billingAddressId: UUID?

    /// Identifies the request an `Idempotency-Key` was first used for.
    var fingerprint: String { "\(shippingAddressId.uuidString)/\(billingAddressId?.uuidString ?? "-")" }
}

/// An address as orders keeps it: read from addresses at checkout and never changed after.
struct AddressSnapshot: Codable, Sendable, Equatable {
    var id: UUID
    var name: String
    var line1: String
    var line2: String?
    var city: String
    var region: String?
    var postalCode: String
    var country: String
    var phone: String?

    func json() throws -> String { String(decoding: try WireJSON.makeEncoder().encode(self), as: UTF8.self) }

    static func decode(_ json: String) throws -> AddressSnapshot {
        try WireJSON.makeDecoder().decode(AddressSnapshot.self, from: Data(json.utf8))
    }
}

/// The customer's basket as baskets' `GET /baskets/mine` shows it.
struct BasketSnapshot: Decodable, Sendable {
    struct Item: Decodable, Sendable {
        var productId: UUID
        var name: String
        var unitPrice: Int
        var quantity: Int
    }

    var items: [Item]
    var currency: String?
}

/// The catalog's current price and stock of a product, to check the basket's snapshot against.
struct CatalogPrice: Decodable, Sendable {
    var id: UUID
    var name: String
    var price: Int
    var currency: String
    var stock: Int
}

/// `POST /orders/{id}/cancel`'s optional body.
struct CancelRequest: Decodable, Sendable {
    static let maximumReasonLength = 500
    static let byCustomer = "cancelled by the customer"

    var reason: String?

    /// The reason recorded and shown to the customer: theirs is always "cancelled by the
    /// customer"; an admin may give one (a blank one says only that the shop cancelled it).
    static func reason(_ body: CancelRequest?, byOwner: Bool) throws -> String {
        if byOwner { return byCustomer }
        let reason = body?.reason?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        var validator = Validator()
        validator.text(reason, "reason", length: 0...maximumReasonLength, required: false)
        try validator.check()
        return reason.isEmpty ? "cancelled by the shop" : reason
    }
}

/// An order as the API shows it.
struct OrderResponse: Encodable, Sendable {
    struct Line: Encodable, Sendable {
        var productId: UUID
        var name: String
        var unitPrice: Int
        var quantity: Int
        var lineTotal: Int
    }

    struct StatusEntry: Encodable, Sendable {
        var status: String
        var at: Date
        var note: String?
    }

    var id: UUID
    var number: String
    var status: String
    var userId: UUID
    var customerName: String
    var customerEmail: String
    var lines: [Line]
    var total: Int
    var currency: String
    var shippingAddress: AddressSnapshot?
    var billingAddress: AddressSnapshot?
    var statusHistory: [StatusEntry]
    var cancelReason: String?
    var createdAt: Date
    var updatedAt: Date

    /// `order` with its lines and history loaded.
    init(_ order: Order) throws {
        self.id = try order.requireID()
        self.number = order.number
        self.status = order.status.rawValue
        self.userId = order.userId
        self.customerName = order.customerName
        self.customerEmail = order.customerEmail
        self.lines = order.lines.sorted { $0.position < $1.position }.map {
            Line(productId: $0.productId, name: $0.name, unitPrice: $0.unitPrice, quantity: $0.quantity, lineTotal: $0.lineTotal)
        }
        self.total = order.total
        self.currency = order.currency
        self.shippingAddress = try? AddressSnapshot.decode(order.shippingAddress)
        self.billingAddress = try? AddressSnapshot.decode(order.billingAddress)
        self.statusHistory = order.history.sorted { ($0.at, $0.status.rank) < ($1.at, $1.status.rank) }.map {
            StatusEntry(status: $0.status.rawValue, at: $0.at, note: $0.note)
        }
        self.cancelReason = order.cancelReason
        self.createdAt = order.createdAt
        self.updatedAt = order.updatedAt
    }
}

extension OrderStatus {
    /// Orders history entries written in the same instant.
    var rank: Int { Self.allCases.firstIndex(of: self)! }  // trap-checked: every case of a CaseIterable enum is in allCases
}
