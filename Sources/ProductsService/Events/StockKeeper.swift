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
            EventHandler(
                OrderPlaced.type, handle: { envelope, tx in try await reserve(try envelope.payload(as: OrderPlaced.self), on: tx) },
                afterCommit: { envelope in await forgetCachedStock(ofOrder: try? envelope.payload(as: OrderPlaced.self).orderId) }),
            EventHandler(
                OrderCancelled.type, handle: { envelope, tx in try await release(try envelope.payload(as: OrderCancelled.self), on: tx) },
                afterCommit: { envelope in await forgetCachedStock(ofOrder: try? envelope.payload(as: OrderCancelled.self).orderId) }),
        ]
    }

    /// Runs inside the inbox transaction of the `orders.order.placed` event.
    func reserve(_ order: OrderPlaced, on tx: any Database) async throws {
        let sql = tx as! any SQLDatabase
        if try await StockReservation.query(on: tx).filter(\.$orderId == order.orderId).count() > 0 { return }
        var taken: [(UUID, Int)] = []
        var short: [UUID] = []
        for line in Self.merged(order.lines) {
            let updated = try await sql.raw("""
                UPDATE products SET stock = stock - \(bind: line.quantity), updated_at = \(bind: Date())
                WHERE id = \(bind: line.productId) AND website_id = \(bind: order.websiteId) AND stock >= \(bind: line.quantity)
                RETURNING stock
                """).all()
            if updated.isEmpty { short.append(line.productId) } else { taken.append((line.productId, line.quantity)) }
        }
        if !short.isEmpty {
            // All or nothing: give back what this order had taken before the short line.
            for (product, quantity) in taken {
                try await sql.raw("UPDATE products SET stock = stock + \(bind: quantity) WHERE id = \(bind: product)").run()
            }
            try await environment.outbox.append(
                StockRejected(orderId: order.orderId, reason: "insufficient stock", productIds: short), websiteId: order.websiteId, on: tx)
            return
        }
        for (product, quantity) in taken {
            try await StockReservation(orderId: order.orderId, productId: product, quantity: quantity).create(on: tx)
        }
        try await environment.outbox.append(StockReserved(orderId: order.orderId), websiteId: order.websiteId, on: tx)
    }

    /// Gives back what a cancelled order held; a second cancellation finds nothing left to release.
    func release(_ cancellation: OrderCancelled, on tx: any Database) async throws {
        let sql = tx as! any SQLDatabase
        let held = try await StockReservation.query(on: tx).filter(\.$orderId == cancellation.orderId).filter(\.$releasedAt == nil).all()
        for reservation in held {
            try await sql.raw("UPDATE products SET stock = stock + \(bind: reservation.quantity) WHERE id = \(bind: reservation.productId)").run()
            reservation.releasedAt = Date()
            try await reservation.update(on: tx)
        }
    }

    /// Drops the cached copies of the products an order reserved or released, once that committed.
    func forgetCachedStock(ofOrder orderId: UUID?) async {
        guard let orderId,
            let products = try? await StockReservation.query(on: environment.database.fluent).filter(\.$orderId == orderId).all(\.$productId)
        else { return }
        for product in Set(products) { await catalog.invalidate(product) }
    }

    /// One line per product: an order listing a product twice takes the sum.
    static func merged(_ lines: [OrderLineData]) -> [OrderLineData] {
        var merged: [UUID: OrderLineData] = [:]
        var order: [UUID] = []
        for line in lines {
            if var existing = merged[line.productId] {
                existing.quantity += line.quantity
                merged[line.productId] = existing
            } else {
                merged[line.productId] = line
                order.append(line.productId)
            }
        }
        return order.map { merged[$0]! }
    }
}
