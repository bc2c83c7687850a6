import FluentKit
import Foundation

/// One product of an order, at the price the customer agreed to.
final class OrderLine: Model, @unchecked Sendable {
    static let schema = "order_lines"

    @ID(key: .id) var id: UUID?
    @Parent(key: "order_id") var order: Order
    @Field(key: "position") var position: Int
    @Field(key: "product_id") var productId: UUID
    @Field(key: "name") var name: String
    @Field(key: "unit_price") var unitPrice: Int
    @Field(key: "quantity") var quantity: Int

    init() {}

    init(orderId: UUID, position: Int, productId: UUID, name: String, unitPrice: Int, quantity: Int) {
        self.id = UUID()
        self.$order.id = orderId
        self.position = position
        self.productId = productId
        self.name = name
        self.unitPrice = unitPrice
        self.quantity = quantity
    }

    var lineTotal: Int { unitPrice * quantity }
}
