import FluentKit
import Foundation

/// The units an order holds of a product: written when `orders.order.placed` is accepted and
/// marked released on cancellation, so neither can happen twice for one order.
final class StockReservation: Model, @unchecked Sendable {
    static let schema = "stock_reservations"

    @ID(key: .id) var id: UUID?
    @Field(key: "order_id") var orderId: UUID
    @Field(key: "product_id") var productId: UUID
    @Field(key: "quantity") var quantity: Int
    @Field(key: "created_at") var createdAt: Date
    @OptionalField(key: "released_at") var releasedAt: Date?

    init() {}

    init(orderId: UUID, productId: UUID, quantity: Int) {
        self.id = UUID()
        self.orderId = orderId
        self.productId = productId
        self.quantity = quantity
        self.createdAt = Date()
    }
}
