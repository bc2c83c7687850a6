import ComptoirContracts
import ComptoirKit
import ComptoirTesting
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

@testable import DeliveriesService

@Suite struct ShipmentTests {
    static func confirmed(_ order: UUID, user: UUID, country: String) throws -> EventEnvelope {
        try EventEnvelope(
            OrderConfirmed(
                orderId: order,
                number: "2026-000007",
                userId: user,
                websiteId: .defaultWebsite,
                customerEmail: "lea@example.com",
                customerName: "Léa",
                lines: [],
                total: 1000,
                currency: "EUR",
                shippingCountry: country
            ),
            source: .orders,
            websiteId: .defaultWebsite
        )
    }

    @Test func aConfirmedOrderOpensOneShipmentHoweverOftenTheEventArrives() async throws {
        try await TestPlatform.withService(DeliveriesService.self) { client, environment in
            let user = UUID()
            let order = UUID()
            let event = try Self.confirmed(order, user: user, country: "GB")
            try await environment.platform.bus.publish(event)
            try await environment.platform.bus.publish(event)
            // The same order confirmed by another event (a replay of the saga) still has one shipment.
            try await environment.platform.bus.publish(try Self.confirmed(order, user: user, country: "GB"))
            let token = try await TestPlatform.token(environment, userId: user)
            let list = try await client.json(.get, "/deliveries?order_id=\(order)", token: token)
            let deliveries = (try JSONSerialization.jsonObject(with: Data(list.body.readableBytesView)) as? [[String: Any]]) ?? []
            #expect(deliveries.count == 1)
            #expect(deliveries.first?["carrier"] as? String == "Royal Mail")
            let tracking = try #require(deliveries.first?["tracking_number"] as? String)
            #expect(tracking.range(of: "^CT[A-HJ-NP-Z2-9]{10}GB$", options: .regularExpression) != nil)
            // Someone else's token sees none; an anonymous caller is refused.
            let stranger = try await TestPlatform.token(environment)
            #expect(try await client.json(.get, "/deliveries?order_id=\(order)", token: stranger).text == "[]")
            #expect(try await client.json(.get, "/deliveries").status == .unauthorized)
        }
    }

    @Test func aCancelledOrderStopsItsShipmentOnlyBeforeItLeaves() async throws {
        try await TestPlatform.withService(DeliveriesService.self) { client, environment in
            let user = UUID()
            let (kept, stopped) = (UUID(), UUID())
            try await environment.platform.bus.publish(try Self.confirmed(kept, user: user, country: "FR"))
            try await environment.platform.bus.publish(try Self.confirmed(stopped, user: user, country: "FR"))
            let admin = try await TestPlatform.token(environment, roles: [.admin])
            let owner = try await TestPlatform.token(environment, userId: user)
            let keptDelivery = try await client.json(.get, "/deliveries?order_id=\(kept)", token: owner)
            let keptId = try #require(
                ((try JSONSerialization.jsonObject(with: Data(keptDelivery.body.readableBytesView)) as? [[String: Any]])?.first)?["id"] as? String
            )
            #expect(try await client.json(.patch, "/deliveries/\(keptId)", body: ["status": "shipped"], token: admin).status == .ok)
            for order in [kept, stopped] {
                try await environment.platform.bus.publish(try EventEnvelope(OrderCancelled(orderId: order, reason: "test"), source: .orders))
            }
            let statuses = try await client.json(.get, "/deliveries", token: owner)
            let byOrder = Dictionary(
                uniqueKeysWithValues: ((try JSONSerialization.jsonObject(with: Data(statuses.body.readableBytesView)) as? [[String: Any]]) ?? []).map
                {
                    ($0["order_id"] as! String, $0["status"] as! String)
                }
            )
            #expect(byOrder[kept.uuidString] == "shipped")
            #expect(byOrder[stopped.uuidString] == "cancelled")
        }
    }

    @Test func estimatesCountWorkingDaysOnly() throws {
        let friday = try #require(ISO8601DateFormatter().date(from: "2026-11-27T16:00:00Z"))
        let france = CarrierPlan.forCountry("fr")
        #expect(france == CarrierPlan(carrier: "Colissimo", workingDays: 2))
        // Friday + 2 working days is Tuesday.
        #expect(ISO8601DateFormatter().string(from: france.estimatedDelivery(from: friday)) == "2026-12-01T00:00:00Z")
        #expect(CarrierPlan.forCountry("JP").workingDays > CarrierPlan.forCountry("DE").workingDays)
    }
}
