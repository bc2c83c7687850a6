import FluentKit
import Foundation

/// One entry of an order's history: the state it entered, when, and why.
final class OrderStatusChange: Model, @unchecked Sendable {
    static let schema = "order_status_changes"

    @ID(key: .id) var id: UUID?
    @Parent(key: "order_id") var order: Order
    @Field(key: "status") var statusValue: String

    var status: OrderStatus {
        get { OrderStatus(rawValue: statusValue) ?? .pending }
        set { statusValue = newValue.rawValue }
    }
    @OptionalField(key: "note") var note: String?
    @Field(key: "at") var at: Date

    init() {}

    init(orderId: UUID, status: OrderStatus, note: String?, at: Date = Date()) {
        self.id = UUID()
        self.$order.id = orderId
        self.status = status
        self.note = note
        self.at = at
    }
}
