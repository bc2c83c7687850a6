import ComptoirKit
import FluentKit
import Foundation

/// A catalog entry of one store. Prices are minor units of `currency`; `stock` never goes below zero.
final class Product: Model, @unchecked Sendable {
    static let schema = "products"

    @ID(key: .id) var id: UUID?
    @Field(key: "website_id") var websiteId: UUID
    @Field(key: "sku") var sku: String
    @Field(key: "name") var name: String
    @Field(key: "description") var description: String
    @Field(key: "price") var price: Int
    @Field(key: "currency") var currency: String
    @Field(key: "stock") var stock: Int
    @OptionalField(key: "category") var category: String?
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "updated_at") var updatedAt: Date

    init() {}

    init(websiteId: UUID, sku: String, name: String, description: String, price: Int, currency: String, stock: Int, category: String?) {
        self.id = UUID()
        self.websiteId = websiteId
        self.sku = sku
        self.name = name
        self.description = description
        self.price = price
        self.currency = currency
        self.stock = stock
        self.category = category
        self.createdAt = Date()
        self.updatedAt = createdAt
    }
}

extension Product: WebsiteScoped {
    static var websiteIdKey: KeyPath<Product, FieldProperty<Product, UUID>> { \.$websiteId }
}
