import Foundation
import NIOHTTP1
import Testing

/// A store sees nothing of another: every resource read by id from the wrong store is a 404,
/// exactly like an id that does not exist, and the same request from its own store succeeds.
@Suite("Store isolation, end to end") struct StoreIsolationTests {
    @Test("products, images, addresses, orders, deliveries, tickets, questions, templates and campaigns stay in their store")
    func everyResourceStaysInItsStore() async throws {
        try await RunningPlatform.run { platform in
            let admin = try await platform.admin()
            let other = try await platform.send(
                .POST,
                "/api/v1/websites",
                json: ["code": "other", "name": "Other shop", "currency": "EUR", "locale": "fr-FR"],
                token: admin
            )
            try #require(other.status == 201, "store: \(other.text)")

            // Everything made in the default store.
            let product = try await platform.product(name: "Isolated lamp", price: 1_000, stock: 5, admin: admin)
            let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + [UInt8](repeating: 0, count: 32)
            let image = try await platform.upload("/api/v1/products/\(product)/images", bytes: png, contentType: "image/png", token: admin)
            let imageId = try #require(image.object["id"] as? String, "image: \(image.text)")
            let (customer, _, _) = try await platform.customer("Isolated")
            let address = try await platform.address(token: customer)
            let added = try await platform.send(.POST, "/api/v1/baskets/mine/items", json: ["product_id": product, "quantity": 1], token: customer)
            try #require(added.status == 200, "basket: \(added.text)")
            let placed = try await platform.send(.POST, "/api/v1/orders", json: ["shipping_address_id": address], token: customer)
            let order = try #require(placed.object["id"] as? String, "order: \(placed.text)")
            var deliveries: [[String: Any]] = []
            try await platform.eventually("delivery opened") {
                deliveries = try await platform.send(.GET, "/api/v1/deliveries?order_id=\(order)", token: customer).array
                return deliveries.count == 1
            }
            let delivery = try #require(deliveries.first?["id"] as? String)
            let ticket = try await platform.send(.POST, "/api/v1/sav/tickets", json: ["subject": "Where", "message": "Is it?"], token: customer)
            let ticketId = try #require(ticket.object["id"] as? String, "ticket: \(ticket.text)")
            let question = try await platform.send(
                .POST,
                "/api/v1/questions",
                json: ["question": "Isolated?", "answer": "Yes.", "category": "orders"],
                token: admin
            )
            let questionId = try #require(question.object["id"] as? String, "question: \(question.text)")
            let template = try await platform.send(
                .POST,
                "/api/v1/newsletters/templates",
                json: ["name": "Isolated", "subject": "News", "text": "Hello"],
                token: admin
            )
            let templateId = try #require(template.object["id"] as? String, "template: \(template.text)")
            let campaign = try await platform.send(
                .POST,
                "/api/v1/newsletters/campaigns",
                json: ["subject": "Isolated news", "template_id": templateId],
                token: admin
            )
            let campaignId = try #require(campaign.object["id"] as? String, "campaign: \(campaign.text)")

            let reads: [(what: String, method: HTTPMethod, path: String, token: String?, body: [String: Any]?)] = [
                ("product", .GET, "/api/v1/products/\(product)", nil, nil),
                ("image", .GET, "/api/v1/products/\(product)/images/\(imageId)", nil, nil),
                ("address", .GET, "/api/v1/addresses/\(address)", customer, nil),
                ("order", .GET, "/api/v1/orders/\(order)", customer, nil),
                ("order as admin", .GET, "/api/v1/orders/\(order)", admin, nil),
                ("delivery", .PATCH, "/api/v1/deliveries/\(delivery)", admin, ["status": "shipped"]),
                ("ticket", .GET, "/api/v1/sav/tickets/\(ticketId)", customer, nil),
                ("question", .GET, "/api/v1/questions/\(questionId)", nil, nil),
                ("template", .GET, "/api/v1/newsletters/templates/\(templateId)", admin, nil),
                ("campaign", .GET, "/api/v1/newsletters/campaigns/\(campaignId)", admin, nil),
            ]
            for read in reads {
                let home = try await platform.send(read.method, read.path, json: read.body, token: read.token)
                #expect((200..<300).contains(home.status), "\(read.what) in its own store: \(home.status) \(home.text)")
                let elsewhere = try await platform.send(read.method, read.path, json: read.body, token: read.token, headers: ["X-Website": "other"])
                #expect(elsewhere.status == 404, "\(read.what) from another store: \(elsewhere.status) \(elsewhere.text)")
            }
            let otherOrders = try await platform.send(.GET, "/api/v1/deliveries?order_id=\(order)", token: customer, headers: ["X-Website": "other"])
            #expect(try otherOrders.array.isEmpty, "another store lists none of this store's deliveries")
        }
    }
}
