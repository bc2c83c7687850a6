import ComptoirKit
import FluentKit
import Foundation

/// A customer's order in one store. Lines, addresses and the customer's name and e-mail are
/// copied at checkout, so later changes elsewhere never rewrite an order.
final class Order: Model, @unchecked Sendable {
    static let schema = "orders"

    @ID(key: .id) var id: UUID?
    @Field(key: "number") var number: String
    @Field(key: "user_id") var userId: UUID
    @Field(key: "website_id") var websiteId: UUID
    @Field(key: "status") var statusValue: String

    var status: OrderStatus {
        get { OrderStatus(rawValue: statusValue) ?? .pending }
        set { statusValue = newValue.rawValue }
    }
    @Field(key: "customer_email") var customerEmail: String
    @Field(key: "customer_name") var customerName: String
    /// The addresses as JSON (``AddressSnapshot``) as they were at checkout.
    @Field(key: "shipping_address") var shippingAddress: String
    @Field(key: "billing_address") var billingAddress: String
    @Field(key: "shipping_country") var shippingCountry: String
    @Field(key: "total") var total: Int
    @Field(key: "currency") var currency: String
    @OptionalField(key: "cancel_reason") var cancelReason: String?
    /// The client's `Idempotency-Key`, unique per user.
    @OptionalField(key: "idempotency_key") var idempotencyKey: String?
    /// What the keyed request asked for, so reusing a key for another request is refused.
    @OptionalField(key: "request_fingerprint") var requestFingerprint: String?
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "updated_at") var updatedAt: Date

    /// Order numbers such as `2026-000042`. (The sequence is named `orders` in `order_numbers`.)
    static let numbers = NumberSequence(table: "order_numbers")

    @Children(for: \.$order) var lines: [OrderLine]
    @Children(for: \.$order) var history: [OrderStatusChange]

    init() {}

    init(
        id: UUID = UUID(),
        number: String,
        userId: UUID,
        websiteId: UUID,
        customer: CurrentUser,
        shipping: AddressSnapshot,
        billing: AddressSnapshot,
        total: Int,
        currency: String
    ) throws {
        self.id = id
        self.number = number
        self.userId = userId
        self.websiteId = websiteId
        self.status = .pending
        self.customerEmail = customer.email
        self.customerName = customer.name
        self.shippingAddress = try shipping.json()
        self.billingAddress = try billing.json()
        self.shippingCountry = shipping.country
        self.total = total
        self.currency = currency
        self.createdAt = Date()
        self.updatedAt = createdAt
    }
}

extension Order: WebsiteScoped {
    static var websiteIdKey: KeyPath<Order, FieldProperty<Order, UUID>> { \.$websiteId }
}
