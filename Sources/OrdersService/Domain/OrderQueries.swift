import FluentKit
import Foundation

/// Reads orders with their lines and history.
enum OrderQueries {
    static func load(_ id: UUID, on database: any Database) async throws -> Order? {
        try await Order.query(on: database).filter(\.$id == id).with(\.$lines).with(\.$history).first()
    }

    /// Moves `order` to `status` with a history entry, if the state machine allows it; returns
    /// whether it moved. The caller saves nothing else: this writes the order and the entry.
    @discardableResult
    static func move(_ order: Order, to status: OrderStatus, note: String?, on tx: any Database) async throws -> Bool {
        guard order.status.canMove(to: status) else { return false }
        order.status = status
        order.updatedAt = Date()
        if status == .cancelled { order.cancelReason = note }
        try await order.update(on: tx)
        try await OrderStatusChange(orderId: order.requireID(), status: status, note: note, at: order.updatedAt).create(on: tx)
        return true
    }
}
