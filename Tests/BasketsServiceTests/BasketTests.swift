import BasketsService
import ComptoirContracts
import ComptoirKit
import ComptoirTesting
import Crypto
import Foundation
import HTTPTypes
import HummingbirdTesting
import ProductsService
import Testing

/// Baskets against a real products service over a socket: snapshots, limits, ownership.
@Suite struct BasketTests {
    /// Runs `body` with a live products service holding a mug (stock 5, 12.00 €) and a tee in USD,
    /// and a baskets service that reads it; both trust the same signing key.
    static func withBaskets(
        _ body:
            @escaping @Sendable (_ baskets: any TestClientProtocol, _ environment: ServiceEnvironment, _ mug: String, _ dollarTee: String)
            async throws -> Void
    ) async throws {
        let key = Base64URL.encode(Curve25519.Signing.PrivateKey().rawRepresentation)
        let directory = try TestPlatform.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let platform = try await TestPlatform.resources(dataDirectory: directory, environment: ["COMPTOIR_JWT_PRIVATE_KEY": key])
        let products = try await ServiceHost.make(ProductsService.self, platform: platform)
        let productsEnvironment = products.environment
        try await products.application(port: 0).test(.live) { catalog in
            let manager = try await TestPlatform.token(productsEnvironment, roles: [.catalog])
            let mug = try await catalog.json(.post, "/products", body: ["sku": "MUG", "name": "Mug", "price": 1200, "stock": 5], token: manager)
            let tee = try await catalog.json(
                .post,
                "/products",
                body: ["sku": "TEE", "name": "Tee", "price": 2000, "currency": "USD", "stock": 5],
                token: manager
            )
            let environment = ["COMPTOIR_JWT_PRIVATE_KEY": key, "COMPTOIR_PRODUCTS_URL": "http://127.0.0.1:\(catalog.port!)"]
            try await TestPlatform.withService(BasketsService.self, environment: environment) { client, baskets in
                try await body(client, baskets, mug.object["id"] as! String, tee.object["id"] as! String)
            }
        }
    }

    @Test func addingSnapshotsThePriceAndQuantitiesAddUp() async throws {
        try await Self.withBaskets { client, environment, mug, _ in
            let token = try await TestPlatform.token(environment)
            let first = try await client.json(.post, "/baskets/mine/items", body: ["product_id": mug, "quantity": 2], token: token)
            #expect(first.status == .ok)
            let again = try await client.json(.post, "/baskets/mine/items", body: ["product_id": mug, "quantity": 1], token: token)
            let item = try #require((again.object["items"] as? [[String: Any]])?.first)
            #expect(item["quantity"] as? Int == 3 && item["unit_price"] as? Int == 1200 && item["line_total"] as? Int == 3600)
            #expect(again.object["total"] as? Int == 3600 && again.object["currency"] as? String == "EUR")
            let patched = try await client.json(.patch, "/baskets/mine/items/\(mug)", body: ["quantity": 1], token: token)
            #expect(patched.object["total"] as? Int == 1200)
            let removed = try await client.json(.delete, "/baskets/mine/items/\(mug)", token: token)
            #expect((removed.object["items"] as? [Any])?.isEmpty == true)
        }
    }

    @Test func limitsAndUnknownProductsAreRefused() async throws {
        try await Self.withBaskets { client, environment, mug, dollarTee in
            let token = try await TestPlatform.token(environment)
            for quantity in [0, -1, 100] {
                let response = try await client.json(.post, "/baskets/mine/items", body: ["product_id": mug, "quantity": quantity], token: token)
                #expect(response.status == .unprocessableContent && response.problemFields == ["quantity"])
            }
            let unknown = try await client.json(.post, "/baskets/mine/items", body: ["product_id": UUID().uuidString, "quantity": 1], token: token)
            #expect(unknown.status == .notFound)
            let tooMany = try await client.json(.post, "/baskets/mine/items", body: ["product_id": mug, "quantity": 6], token: token)
            #expect(tooMany.status == .conflict, "only 5 in stock")
            try await client.json(.post, "/baskets/mine/items", body: ["product_id": mug, "quantity": 1], token: token)
            let otherCurrency = try await client.json(.post, "/baskets/mine/items", body: ["product_id": dollarTee, "quantity": 1], token: token)
            #expect(otherCurrency.status == .conflict)
            let notInBasket = try await client.json(.patch, "/baskets/mine/items/\(dollarTee)", body: ["quantity": 2], token: token)
            #expect(notInBasket.status == .notFound)
            #expect(try await client.json(.get, "/baskets/mine").status == .unauthorized)
        }
    }

    @Test func eachCustomerSeesOnlyTheirBasket() async throws {
        try await Self.withBaskets { client, environment, mug, _ in
            let ann = try await TestPlatform.token(environment)
            let bob = try await TestPlatform.token(environment)
            try await client.json(.post, "/baskets/mine/items", body: ["product_id": mug, "quantity": 2], token: ann)
            let bobs = try await client.json(.get, "/baskets/mine", token: bob)
            #expect((bobs.object["items"] as? [Any])?.isEmpty == true && bobs.object["total"] as? Int == 0)
            #expect(try await client.json(.delete, "/baskets/mine", token: bob).status == .noContent)
            let anns = try await client.json(.get, "/baskets/mine", token: ann)
            #expect(anns.object["total"] as? Int == 2400)
            #expect(try await client.json(.delete, "/baskets/mine", token: ann).status == .noContent)
            #expect(try await client.json(.get, "/baskets/mine", token: ann).object["total"] as? Int == 0)
        }
    }

    @Test func aConfirmedOrderEmptiesTheBasketOnce() async throws {
        try await Self.withBaskets { client, environment, mug, _ in
            let userId = UUID()
            let token = try await TestPlatform.token(environment, userId: userId)
            try await client.json(.post, "/baskets/mine/items", body: ["product_id": mug, "quantity": 2], token: token)
            let other = try await TestPlatform.token(environment)
            try await client.json(.post, "/baskets/mine/items", body: ["product_id": mug, "quantity": 1], token: other)
            // Read twice: the second read comes from the cache, which the event must then drop.
            #expect(try await client.json(.get, "/baskets/mine", token: token).object["total"] as? Int == 2400)
            #expect(try await client.json(.get, "/baskets/mine", token: token).object["total"] as? Int == 2400)
            #expect(try await client.json(.get, "/metrics").text.contains("cache_lookups_total{result=\"hit\"} 1"))
            let confirmed = try EventEnvelope(
                OrderConfirmed(
                    orderId: UUID(),
                    number: "2026-000001",
                    userId: userId,
                    websiteId: .defaultWebsite,
                    customerEmail: "a@example.com",
                    customerName: "A",
                    lines: [],
                    total: 0,
                    currency: "EUR",
                    shippingCountry: "FR"
                ),
                source: .orders
            )
            try await environment.platform.bus.publish(confirmed)
            #expect(try await client.json(.get, "/baskets/mine", token: token).object["total"] as? Int == 0)
            #expect(try await client.json(.get, "/baskets/mine", token: other).object["total"] as? Int == 1200, "other baskets untouched")
            // A redelivery after the customer started a new basket must not empty it again.
            try await client.json(.post, "/baskets/mine/items", body: ["product_id": mug, "quantity": 1], token: token)
            try await environment.platform.bus.publish(confirmed)
            #expect(try await client.json(.get, "/baskets/mine", token: token).object["total"] as? Int == 1200)
        }
    }
}
