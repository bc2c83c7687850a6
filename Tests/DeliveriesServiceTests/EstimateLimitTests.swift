import ComptoirContracts
import ComptoirKit
import ComptoirTesting
import DeliveriesService
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

/// An admin's estimate is a date within the coming year, not any the decoder reads.
@Suite struct EstimateLimitTests {
    @Test func anEstimateYearsAheadIs422() async throws {
        try await TestPlatform.withService(DeliveriesService.self) { client, environment in
            let (order, user) = (UUID(), UUID())
            try await environment.platform.bus.publish(try ShipmentTests.confirmed(order, user: user, country: "FR"))
            let admin = try await TestPlatform.token(environment, roles: [.admin])
            let listed = try await client.json(.get, "/deliveries?order_id=\(order)", token: admin)
            let deliveries = try JSONSerialization.jsonObject(with: Data(listed.body.readableBytesView)) as? [[String: Any]]
            let id = try #require(deliveries?.first?["id"] as? String)
            let later = RFC3339.string(from: Date().addingTimeInterval(2 * 366 * 86_400))
            for estimate in ["9999-12-31T00:00:00Z", later] {
                let body = ["status": "preparing", "estimated_delivery": estimate]
                let response = try await client.json(.patch, "/deliveries/\(id)", body: body, token: admin)
                #expect(response.status == .unprocessableContent && response.problemFields == ["estimated_delivery"])
            }
            let soon = RFC3339.string(from: Date().addingTimeInterval(5 * 86_400))
            let body = ["status": "preparing", "estimated_delivery": soon]
            let response = try await client.json(.patch, "/deliveries/\(id)", body: body, token: admin)
            #expect(response.status == .ok)
        }
    }
}
