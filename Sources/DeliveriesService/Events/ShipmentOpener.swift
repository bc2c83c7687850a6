import ComptoirContracts
import ComptoirKit
import FluentKit
import Foundation

/// Opens a shipment when an order is confirmed and stops it when the order is cancelled before
/// the parcel left.
struct ShipmentOpener: Sendable {
    let environment: ServiceEnvironment

    var handlers: [EventHandler] {
        [
            EventHandler(OrderConfirmed.type) { envelope, tx in try await open(try envelope.payload(as: OrderConfirmed.self), envelope, on: tx) },
            EventHandler(OrderCancelled.type) { envelope, tx in try await stop(try envelope.payload(as: OrderCancelled.self), envelope, on: tx) },
        ]
    }

    func open(_ order: OrderConfirmed, _ envelope: EventEnvelope, on tx: any Database) async throws {
        if try await Delivery.query(on: tx).filter(\.$orderId == order.orderId).count() > 0 { return }
        let now = Date()
        let delivery = Delivery(
            order: OrderConfirmedSummary(
                orderId: order.orderId,
                number: order.number,
                userId: order.userId,
                websiteId: order.websiteId,
                country: order.shippingCountry
            ),
            plan: CarrierPlan.forCountry(order.shippingCountry),
            trackingNumber: CarrierPlan.trackingNumber(country: order.shippingCountry),
            now: now
        )
        try await delivery.create(on: tx)
        let deliveryId = try delivery.requireID()
        try await DeliveryEvent(deliveryId: deliveryId, status: .preparing, at: now).create(on: tx)
        try await environment.outbox.append(
            DeliveryCreated(
                deliveryId: deliveryId,
                orderId: order.orderId,
                carrier: delivery.carrier,
                trackingNumber: delivery.trackingNumber,
                estimatedDelivery: delivery.estimatedDelivery
            ),
            websiteId: order.websiteId,
            traceparent: envelope.traceparent,
            on: tx
        )
        environment.logger.info(
            "shipment opened",
            metadata: ["order_id": .string(order.orderId.uuidString), "tracking_number": .string(delivery.trackingNumber)]
        )
    }

    func stop(_ cancellation: OrderCancelled, _ envelope: EventEnvelope, on tx: any Database) async throws {
        guard let delivery = try await Delivery.query(on: tx).filter(\.$orderId == cancellation.orderId).first(),
            delivery.status.successors.contains(.cancelled)
        else { return }
        try await Shipments(outbox: environment.outbox).record(delivery, status: .cancelled, traceparent: envelope.traceparent, on: tx)
    }
}
