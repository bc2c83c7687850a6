import ComptoirContracts
import ComptoirKit
import CoreMetrics
import FluentKit
import Foundation

/// The orders side of the purchase saga (ARCHITECTURE.md, "Purchase"). No handler waits on
/// another service: each reacts to one event inside its inbox transaction and publishes the
/// next through the outbox.
struct OrderSaga: Sendable {
    let environment: ServiceEnvironment

    var handlers: [EventHandler] {
        [
            EventHandler(StockReserved.type) { envelope, tx in try await reserved(try envelope.payload(as: StockReserved.self), envelope, on: tx) },
            EventHandler(StockRejected.type) { envelope, tx in try await rejected(try envelope.payload(as: StockRejected.self), envelope, on: tx) },
            EventHandler(DeliveryUpdated.type) { envelope, tx in try await delivery(try envelope.payload(as: DeliveryUpdated.self), on: tx) },
        ]
    }

    /// The stock is held: a pending order is confirmed. An order cancelled before the
    /// reservation arrived gives the stock back, since products reserved it after the cancellation.
    ///
    /// Stock held for an order this database does not have can only follow a restore that put
    /// orders back to before the order (decision 0028): it is given back, or it would stay held for ever.
    func reserved(_ event: StockReserved, _ envelope: EventEnvelope, on tx: any Database) async throws {
        guard let order = try await OrderQueries.load(event.orderId, on: tx) else {
            unknown(event.orderId, envelope)
            try await environment.outbox.append(
                OrderCancelled(orderId: event.orderId, reason: "unknown order (lost in a restore)"),
                websiteId: envelope.websiteId,
                traceparent: envelope.traceparent,
                on: tx
            )
            environment.metrics.counter("orders_cancelled_total", [("reason", "unknown")]).increment()
            return
        }
        let orderId = try order.requireID()
        switch order.status {
        case .pending:
            try await OrderQueries.move(order, to: .confirmed, note: "stock reserved", on: tx)
            let lines = order.lines.sorted { $0.position < $1.position }.map {
                OrderLineData(productId: $0.productId, name: $0.name, quantity: $0.quantity, unitPrice: $0.unitPrice)
            }
            try await environment.outbox.append(
                OrderConfirmed(
                    orderId: orderId,
                    number: order.number,
                    userId: order.userId,
                    websiteId: order.websiteId,
                    customerEmail: order.customerEmail,
                    customerName: order.customerName,
                    lines: lines,
                    total: order.total,
                    currency: order.currency,
                    shippingCountry: order.shippingCountry
                ),
                websiteId: order.websiteId,
                traceparent: envelope.traceparent,
                on: tx
            )
            environment.metrics.counter("orders_confirmed_total").increment()
            environment.logger.info("order confirmed", metadata: ["order_id": .string(orderId.uuidString), "number": .string(order.number)])
        case .cancelled:
            try await environment.outbox.append(
                OrderCancelled(orderId: orderId, reason: order.cancelReason ?? "cancelled"),
                websiteId: order.websiteId,
                traceparent: envelope.traceparent,
                on: tx
            )
        case .confirmed, .shipped, .delivered:
            break
        }
    }

    /// Some line could not be held: the order is cancelled (products held nothing for it).
    func rejected(_ event: StockRejected, _ envelope: EventEnvelope, on tx: any Database) async throws {
        guard let order = try await OrderQueries.load(event.orderId, on: tx) else { return unknown(event.orderId, envelope) }
        // Named, so the customer's order page says which product ran out, not just that something did.
        let missing = order.lines.sorted { $0.position < $1.position }.filter { event.productIds.contains($0.productId) }.map(\.name)
        let reason = missing.isEmpty ? "not enough stock" : "not enough stock of \(missing.joined(separator: ", "))"
        guard try await OrderQueries.move(order, to: .cancelled, note: reason, on: tx) else { return }
        let orderId = try order.requireID()
        try await environment.outbox.append(
            OrderCancelled(orderId: orderId, reason: reason),
            websiteId: order.websiteId,
            traceparent: envelope.traceparent,
            on: tx
        )
        environment.metrics.counter("orders_cancelled_total", [("reason", "stock")]).increment()
        environment.logger.info(
            "order cancelled: stock rejected",
            metadata: ["order_id": .string(orderId.uuidString), "number": .string(order.number)]
        )
    }

    /// The order follows its shipment: `shipped` once it left, `delivered` once it arrived.
    func delivery(_ event: DeliveryUpdated, on tx: any Database) async throws {
        guard let order = try await OrderQueries.load(event.orderId, on: tx) else { return }
        let note = "delivery \(event.trackingNumber) \(event.status.replacingOccurrences(of: "_", with: " "))"
        switch event.status {
        case "shipped", "in_transit": try await OrderQueries.move(order, to: .shipped, note: note, on: tx)
        case "delivered": try await OrderQueries.move(order, to: .delivered, note: note, on: tx)
        default: break
        }
    }

    private func unknown(_ orderId: UUID, _ envelope: EventEnvelope) {
        environment.logger.warning(
            "event for an unknown order ignored",
            metadata: ["order_id": .string(orderId.uuidString), "type": .string(envelope.type)]
        )
    }
}
