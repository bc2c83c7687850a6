import ComptoirContracts
import ComptoirKit
import ComptoirTesting
import FluentKit
import Foundation
import HTTPTypes
import HummingbirdTesting
import ProductsService
import Testing

/// Stock reservation driven by order events, on the real event bus and SQLite file.
@Suite struct StockTests {
    /// Creates a product with `stock` units and returns its id.
    static func product(_ client: some TestClientProtocol, _ environment: ServiceEnvironment, sku: String, stock: Int) async throws -> UUID {
        let manager = try await TestPlatform.token(environment, roles: [.catalog])
        let created = try await client.json(.post, "/products", body: ["sku": sku, "name": sku, "price": 500, "stock": stock], token: manager)
        return try #require(UUID(uuidString: created.object["id"] as? String ?? ""))
    }

    static func placed(_ lines: [(UUID, Int)], order: UUID = UUID()) throws -> EventEnvelope {
        let data = lines.map { OrderLineData(productId: $0.0, name: "x", quantity: $0.1, unitPrice: 500) }
        let placed = OrderPlaced(
            orderId: order,
            number: "T-1",
            userId: UUID(),
            websiteId: .defaultWebsite,
            lines: data,
            total: 0,
            currency: "EUR"
        )
        return try EventEnvelope(placed, source: .orders)
    }

    static func stock(_ client: some TestClientProtocol, _ id: UUID) async throws -> Int? {
        try await client.json(.get, "/products/\(id)").object["stock"] as? Int
    }

    static func outcomes(_ environment: ServiceEnvironment) async throws -> (reserved: Int, rejected: Int) {
        let database = environment.database.fluent
        return (
            try await OutboxMessage.query(on: database).filter(\.$type == StockReserved.type).count(),
            try await OutboxMessage.query(on: database).filter(\.$type == StockRejected.type).count()
        )
    }

    @Test func twentyBuyersForTheLastFiveUnits() async throws {
        try await TestPlatform.withService(ProductsService.self) { client, environment in
            let id = try await Self.product(client, environment, sku: "LAST-5", stock: 5)
            let bus = environment.platform.bus
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<20 {
                    group.addTask { try await bus.publish(try Self.placed([(id, 1)])) }
                }
                try await group.waitForAll()
            }
            let outcomes = try await Self.outcomes(environment)
            #expect(outcomes.reserved == 5 && outcomes.rejected == 15)
            #expect(try await Self.stock(client, id) == 0)
        }
    }

    @Test func anOrderGetsAllItsLinesOrNone() async throws {
        try await TestPlatform.withService(ProductsService.self) { client, environment in
            let plenty = try await Self.product(client, environment, sku: "PLENTY", stock: 10)
            let scarce = try await Self.product(client, environment, sku: "SCARCE", stock: 1)
            try await environment.platform.bus.publish(try Self.placed([(plenty, 3), (scarce, 2)]))
            #expect(try await Self.stock(client, plenty) == 10)
            #expect(try await Self.stock(client, scarce) == 1)
            let rejected = try #require(try await OutboxMessage.query(on: environment.database.fluent).filter(\.$type == StockRejected.type).first())
            let payload = try EventEnvelope.decode(Data(rejected.envelope.utf8)).payload(as: StockRejected.self)
            #expect(payload.productIds == [scarce])
        }
    }

    @Test func redeliveryReservesOnceAndCancellationReleasesOnce() async throws {
        try await TestPlatform.withService(ProductsService.self) { client, environment in
            let id = try await Self.product(client, environment, sku: "ONCE", stock: 10)
            let order = UUID()
            let envelope = try Self.placed([(id, 4)], order: order)
            try await environment.platform.bus.publish(envelope)
            try await environment.platform.bus.publish(envelope)
            #expect(try await Self.stock(client, id) == 6)
            #expect(try await Self.outcomes(environment).reserved == 1)
            let cancelled = try EventEnvelope(OrderCancelled(orderId: order, reason: "customer"), source: .orders)
            try await environment.platform.bus.publish(cancelled)
            try await environment.platform.bus.publish(try EventEnvelope(OrderCancelled(orderId: order, reason: "again"), source: .orders))
            #expect(try await Self.stock(client, id) == 10)
        }
    }

    @Test func anotherStoresOrderCannotTakeThisStoresStock() async throws {
        try await TestPlatform.withService(ProductsService.self) { client, environment in
            let id = try await Self.product(client, environment, sku: "MINE", stock: 3)
            var foreign = OrderPlaced(
                orderId: UUID(),
                number: "T-2",
                userId: UUID(),
                websiteId: UUID(),
                lines: [OrderLineData(productId: id, name: "x", quantity: 1, unitPrice: 500)],
                total: 500,
                currency: "EUR"
            )
            foreign.total = 500
            try await environment.platform.bus.publish(try EventEnvelope(foreign, source: .orders))
            #expect(try await Self.stock(client, id) == 3)
            #expect(try await Self.outcomes(environment).rejected == 1)
        }
    }
}

/// Quantities of an `orders.order.placed` payload meet the SQL arithmetic on the stock: ones no
/// order can have are refused before they touch it.
@Suite struct StockPayloadTests {
    @Test func absurdQuantitiesAreRefusedAndTheStockIsUntouched() async throws {
        try await TestPlatform.withService(ProductsService.self) { client, environment in
            let id = try await StockTests.product(client, environment, sku: "ABSURD", stock: 10)
            let bus = environment.platform.bus
            // Event integers reach the handler below 10^15 (larger ones fail to decode): 9,300 lines of
            // 10^15 - 1 add up past Int.max; zero and negatives would add stock.
            let overflowing = Array(repeating: (id, 999_999_999_999_999), count: 9_300)
            for lines in [overflowing, [(id, -3)], [(id, 0)], [(id, 10_000_001)]] {
                await #expect(throws: RejectedEventPayload.self) { try await bus.publish(try StockTests.placed(lines)) }
            }
            #expect(try await client.json(.get, "/products/\(id)").status == .ok)
            #expect(try await StockTests.stock(client, id) == 10)
            let outcomes = try await StockTests.outcomes(environment)
            #expect(outcomes.reserved == 0 && outcomes.rejected == 0)
            // An ordinary order naming the product twice still takes the sum.
            try await bus.publish(try StockTests.placed([(id, 2), (id, 3)]))
            #expect(try await StockTests.stock(client, id) == 5)
        }
    }
}
