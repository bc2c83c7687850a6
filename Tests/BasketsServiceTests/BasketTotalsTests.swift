import ComptoirContracts
import ComptoirKit
import ComptoirTesting
import Foundation
import HTTPTypes
import HummingbirdTesting
import SQLKit
import Testing

/// Basket prices are multiplied by quantities on every read: a price no product can have is
/// refused when an event brings it, and a stored one too large to add up is a 409, not a trap.
@Suite struct BasketTotalsTests {
    static func changed(_ product: String, price: Int, currency: String = "EUR") throws -> EventEnvelope {
        try EventEnvelope(
            ProductChanged(
                productId: try #require(UUID(uuidString: product)),
                websiteId: .defaultWebsite,
                sku: "MUG",
                price: price,
                currency: currency,
                stock: 5,
                deleted: false
            ),
            source: .products
        )
    }

    @Test func anEventWithAnAbsurdPriceIsRefusedAndTheBasketKeepsItsSnapshot() async throws {
        try await BasketTests.withBaskets { client, environment, mug, _ in
            let token = try await TestPlatform.token(environment)
            try await client.json(.post, "/baskets/mine/items", body: ["product_id": mug, "quantity": 2], token: token)
            for (price, currency) in [(999_999_999_999_999, "EUR"), (-1, "EUR"), (Money.maximumUnitPrice + 1, "EUR"), (1500, "euro")] {
                let event = try Self.changed(mug, price: price, currency: currency)
                await #expect(throws: RejectedEventPayload.self) { try await environment.platform.bus.publish(event) }
            }
            let basket = try await client.json(.get, "/baskets/mine", token: token)
            #expect(basket.status == .ok && basket.object["total"] as? Int == 2400)
            // A real price change still reaches the basket.
            try await environment.platform.bus.publish(try Self.changed(mug, price: 1500))
            #expect(try await client.json(.get, "/baskets/mine", token: token).object["total"] as? Int == 3000)
        }
    }

    @Test func aStoredPriceTooLargeToAddUpIsAConflictAndTheLineCanBeRemoved() async throws {
        try await BasketTests.withBaskets { client, environment, mug, _ in
            let token = try await TestPlatform.token(environment)
            try await client.json(.post, "/baskets/mine/items", body: ["product_id": mug, "quantity": 2], token: token)
            // As a snapshot refresher that stored any price would have left it.
            try await environment.database.sql.raw("UPDATE basket_lines SET unit_price = \(bind: Int.max)").run()
            let basket = try await client.json(.get, "/baskets/mine", token: token)
            #expect(basket.status == .conflict)
            #expect(basket.headers[.contentType] == Problem.mediaType)
            let removed = try await client.json(.delete, "/baskets/mine/items/\(mug)", token: token)
            #expect(removed.status == .ok && removed.object["total"] as? Int == 0)
            #expect(try await client.json(.get, "/baskets/mine", token: token).status == .ok)
        }
    }
}
