import ComptoirContracts
import ComptoirKit
import FluentKit
import Foundation
import SQLKit

/// Reserves and releases stock for orders, driven by events. Each decrement is a conditional
/// `UPDATE … WHERE stock >= quantity`, so stock never goes negative however many orders race
/// for it, and an order gets all its lines or none.
struct StockKeeper: Sendable {
    let environment: ServiceEnvironment
    let catalog: Catalog

    var handlers: [EventHandler] {
        [
            EventHandler.withAfterCommit(OrderPlaced.type) { envelope, tx in
                let changed = try await reserve(try envelope.payload(as: OrderPlaced.self), on: tx)
                return { await catalog.invalidate(changed) }
            },
            EventHandler.withAfterCommit(OrderCancelled.type) { envelope, tx in
                let changed = try await release(try envelope.payload(as: OrderCancelled.self), on: tx)
                return { await catalog.invalidate(changed) }
            },
        ]
    }

    /// Runs inside the inbox transaction of the `orders.order.placed` event; returns the products whose stock changed.
    func reserve(_ order: OrderPlaced, on tx: any Database) async throws -> [UUID] {
        let sql = tx.sql
        if try await StockReservation.query(on: tx).filter(\.$orderId == order.orderId).count() > 0 { return [] }
        var taken: [(UUID, Int)] = []
        var short: [UUID] = []
        for line in try Self.merged(order.lines) {
            let updated = try await sql.raw(
                """
                UPDATE products SET stock = stock - \(bind: line.quantity), updated_at = \(bind: Date())
                WHERE id = \(bind: line.productId) AND website_id = \(bind: order.websiteId) AND stock >= \(bind: line.quantity)
                RETURNING stock
                """
            ).all()
            if updated.isEmpty { short.append(line.productId) } else { taken.append((line.productId, line.quantity)) }
        }
        if !short.isEmpty {
            // All or nothing: give back what this order had taken before the short line.
            for (product, quantity) in taken {
                try await sql.raw("UPDATE products SET stock = stock + \(bind: quantity) WHERE id = \(bind: product)").run()
            }
            try await environment.outbox.append(
                StockRejected(orderId: order.orderId, reason: "insufficient stock", productIds: short),
                websiteId: order.websiteId,
                on: tx
            )
            return []
        }
        for (product, quantity) in taken {
            try await StockReservation(orderId: order.orderId, productId: product, quantity: quantity).create(on: tx)
        }
        try await environment.outbox.append(StockReserved(orderId: order.orderId), websiteId: order.websiteId, on: tx)
        return taken.map(\.0)
    }

    /// Gives back what a cancelled order held; a second cancellation finds nothing left to release.
    /// Returns the products whose stock changed.
    func release(_ cancellation: OrderCancelled, on tx: any Database) async throws -> [UUID] {
        let sql = tx.sql
        let held = try await StockReservation.query(on: tx).filter(\.$orderId == cancellation.orderId).filter(\.$releasedAt == nil).all()
        for reservation in held {
            try await sql.raw("UPDATE products SET stock = stock + \(bind: reservation.quantity) WHERE id = \(bind: reservation.productId)").run()
            reservation.releasedAt = Date()
            try await reservation.update(on: tx)
        }
        return held.map(\.productId)
    }

    /// One line per product, in the order products first appear: an order listing a product twice
    /// takes the sum. The quantities come from the event, so each is checked before it reaches the
    /// SQL arithmetic on the stock (zero or a negative number would add stock, a huge one could
    /// overflow SQLite's integers into a real that no longer reads back as an `Int`, many large ones
    /// overflow their sum), and sums are added with a check. Such a payload is rejected (retried, then dead).
    static func merged(_ lines: [OrderLineData]) throws -> [OrderLineData] {
        let quantities = 1...ProductRules.maximumStock
        var merged: [OrderLineData] = []
        var positions: [UUID: Int] = [:]
        for line in lines {
            guard quantities.contains(line.quantity) else {
                throw RejectedEventPayload(OrderPlaced.type, "a line's quantity is \(line.quantity), not between 1 and \(quantities.upperBound)")
            }
            guard let position = positions[line.productId] else {
                positions[line.productId] = merged.count
                merged.append(line)
                continue
            }
            let (sum, overflow) = merged[position].quantity.addingReportingOverflow(line.quantity)
            guard !overflow else { throw RejectedEventPayload(OrderPlaced.type, "the quantities of product \(line.productId) do not add up") }
            merged[position].quantity = sum
        }
        return merged
    }
}
