import FluentKit
import Foundation

/// One product in a customer's basket for one store, with the price seen when it was added
/// (orders checks it again at checkout).
final class BasketLine: Model, @unchecked Sendable {
    static let schema = "basket_lines"

    @ID(key: .id) var id: UUID?
    @Field(key: "user_id") var userId: UUID
    @Field(key: "website_id") var websiteId: UUID
    @Field(key: "product_id") var productId: UUID
    @Field(key: "name") var name: String
    @Field(key: "unit_price") var unitPrice: Int
    @Field(key: "currency") var currency: String
    @Field(key: "quantity") var quantity: Int
    @Field(key: "added_at") var addedAt: Date

    init() {}

    init(userId: UUID, websiteId: UUID, productId: UUID, name: String, unitPrice: Int, currency: String, quantity: Int) {
        self.id = UUID()
        self.userId = userId
        self.websiteId = websiteId
        self.productId = productId
        self.name = name
        self.unitPrice = unitPrice
        self.currency = currency
        self.quantity = quantity
        self.addedAt = Date()
    }
}
