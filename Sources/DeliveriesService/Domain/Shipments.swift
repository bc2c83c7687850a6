import ComptoirContracts
import ComptoirKit
import FluentKit
import Foundation

/// Reads and changes shipments; every change writes a tracking event and a
/// `deliveries.delivery.updated` outbox row in the caller's transaction.
struct Shipments: Sendable {
    let outbox: Outbox

    static func load(_ id: UUID, on database: any Database) async throws -> Delivery? {
        try await Delivery.query(on: database).filter(\.$id == id).with(\.$events).first()
    }

    /// Moves `delivery` to `status` (when it is a new status) and records it.
    func record(_ delivery: Delivery, status: DeliveryStatus, description: String? = nil, traceparent: String?, on tx: any Database) async throws {
        let now = Date()
        delivery.status = status
        delivery.updatedAt = now
        try await delivery.update(on: tx)
        let deliveryId = try delivery.requireID()
        try await DeliveryEvent(deliveryId: deliveryId, status: status, description: description, at: now).create(on: tx)
        try await outbox.append(
            DeliveryUpdated(
                deliveryId: deliveryId,
                orderId: delivery.orderId,
                userId: delivery.userId,
                status: status.rawValue,
                carrier: delivery.carrier,
                trackingNumber: delivery.trackingNumber,
                estimatedDelivery: delivery.estimatedDelivery
            ),
            websiteId: delivery.websiteId,
            traceparent: traceparent,
            on: tx
        )
    }
}
