import ComptoirContracts
import ComptoirKit
import ComptoirTesting
import FluentKit
import Foundation
import OrdersService
import Testing

/// What a restore leaves for the services to reconcile (decision 0028).
@Suite struct ReconciliationTests {
    /// Orders restored to before an order, products not: the stock products held for that order
    /// comes back through a cancellation, instead of staying held for ever.
    @Test func stockHeldForAnOrderTheRestoredOrdersDoNotHaveIsGivenBack() async throws {
        try await TestPlatform.withService(OrdersService.self) { _, environment in
            let lost = UUID()
            try await environment.platform.bus.publish(try EventEnvelope(StockReserved(orderId: lost), source: .products))
            let relay = OutboxRelay(
                database: environment.database,
                bus: environment.platform.bus,
                outbox: environment.outbox,
                metrics: environment.metrics,
                logger: environment.logger
            )
            try await relay.relayBatch()
            let cancellations = try await OutboxMessage.query(on: environment.database.fluent).filter(\.$type == OrderCancelled.type).all()
            #expect(cancellations.count == 1)
            let payload = try EventEnvelope.decode(Data(try #require(cancellations.first).envelope.utf8)).payload(as: OrderCancelled.self)
            #expect(payload.orderId == lost)
            #expect(payload.reason.contains("unknown order"))
        }
    }
}
