import Foundation
import NIOHTTP1
import Testing

/// Checkout, ownership, the state machine and the delivery and mail-log rules, through the gateway.
@Suite("Orders, deliveries and the mail log: rules") struct OrderRulesTests {
    @Test("checkout refuses an empty basket, a stranger's address, bad or reused idempotency keys")
    func checkoutValidation() async throws {
        try await RunningPlatform.run { platform in
            let admin = try await platform.admin()
            let product = try await platform.product(name: "Teapot", price: 2_500, stock: 10, admin: admin)
            let (token, _, _) = try await platform.customer("Alex")
            let (other, _, _) = try await platform.customer("Sam")
            let address = try await platform.address(token: token)
            let strangers = try await platform.address(token: other)

            let empty = try await platform.send(.POST, "/api/v1/orders", json: ["shipping_address_id": address], token: token)
            #expect(empty.status == 409)
            #expect(empty.headers["Content-Type"].first == "application/problem+json")

            try await platform.send(.POST, "/api/v1/baskets/mine/items", json: ["product_id": product, "quantity": 1], token: token)
            let stranger = try await platform.send(.POST, "/api/v1/orders", json: ["shipping_address_id": strangers], token: token)
            #expect(stranger.status == 422)
            #expect(stranger.problemFields == ["shipping_address_id"])
            let unknownBilling = try await platform.send(
                .POST,
                "/api/v1/orders",
                json: ["shipping_address_id": address, "billing_address_id": UUID().uuidString],
                token: token
            )
            #expect(unknownBilling.problemFields == ["billing_address_id"])
            let wrongType = try await platform.send(.POST, "/api/v1/orders", json: ["shipping_address_id": 42], token: token)
            #expect(wrongType.status == 422)
            #expect(wrongType.problemFields == ["shipping_address_id"])
            let longKey = try await platform.send(
                .POST,
                "/api/v1/orders",
                json: ["shipping_address_id": address],
                token: token,
                headers: ["Idempotency-Key": String(repeating: "k", count: 256)]
            )
            #expect(longKey.status == 422)
            #expect(try await platform.send(.POST, "/api/v1/orders", json: ["shipping_address_id": address]).status == 401)

            let key = ["Idempotency-Key": "same-key"]
            let first = try await platform.send(.POST, "/api/v1/orders", json: ["shipping_address_id": address], token: token, headers: key)
            #expect(first.status == 201)
            let billingAddress = try await platform.address(token: token, country: "BE", postalCode: "1000")
            let reused = try await platform.send(
                .POST,
                "/api/v1/orders",
                json: ["shipping_address_id": address, "billing_address_id": billingAddress],
                token: token,
                headers: key
            )
            #expect(reused.status == 409)
            // Keys are per user: another customer may use the same one.
            try await platform.send(.POST, "/api/v1/baskets/mine/items", json: ["product_id": product, "quantity": 1], token: other)
            let othersKey = try await platform.send(.POST, "/api/v1/orders", json: ["shipping_address_id": strangers], token: other, headers: key)
            #expect(othersKey.status == 201)
            #expect(othersKey.object["id"] as? String != first.object["id"] as? String)
            #expect(first.object["number"] as? String != othersKey.object["number"] as? String)
        }
    }

    @Test("owners only, admin filters, cancellation releases the stock once, and the state machine holds")
    func ownershipAndCancellation() async throws {
        try await RunningPlatform.run { platform in
            let admin = try await platform.admin()
            let product = try await platform.product(name: "Copper kettle", price: 6_000, stock: 4, admin: admin)
            let (token, userId, _) = try await platform.customer("Noa")
            let (other, _, _) = try await platform.customer("Eli")
            let address = try await platform.address(token: token)
            try await platform.send(.POST, "/api/v1/baskets/mine/items", json: ["product_id": product, "quantity": 3], token: token)
            let placed = try await platform.send(.POST, "/api/v1/orders", json: ["shipping_address_id": address], token: token)
            let order = try #require(placed.object["id"] as? String)
            try await platform.eventually("confirmed") {
                try await platform.send(.GET, "/api/v1/orders/\(order)", token: token).object["status"] as? String == "confirmed"
            }
            #expect(try await platform.stock(of: product) == 1)

            // Another customer sees nothing of it.
            #expect(try await platform.send(.GET, "/api/v1/orders/\(order)", token: other).status == 404)
            #expect(try await platform.send(.POST, "/api/v1/orders/\(order)/cancel", token: other).status == 404)
            #expect(try await platform.send(.GET, "/api/v1/orders", token: other).object["total"] as? Int == 0)
            #expect(try await platform.send(.GET, "/api/v1/deliveries?order_id=\(order)", token: other).array.isEmpty)
            #expect(try await platform.send(.GET, "/api/v1/orders/not-a-uuid", token: token).status == 404)

            // Admins see everything and filter.
            #expect(try await platform.send(.GET, "/api/v1/orders?status=confirmed&user_id=\(userId)", token: admin).object["total"] as? Int == 1)
            #expect(try await platform.send(.GET, "/api/v1/orders?status=shipped", token: admin).object["total"] as? Int == 0)
            let badFilter = try await platform.send(.GET, "/api/v1/orders?status=lost", token: admin)
            #expect(badFilter.status == 422)
            #expect(badFilter.problemFields == ["status"])
            #expect(try await platform.send(.GET, "/api/v1/orders?per_page=1000", token: token).status == 422)

            // The customer cancels: stock back, delivery stopped; a second cancel is a conflict.
            let cancelled = try await platform.send(.POST, "/api/v1/orders/\(order)/cancel", token: token)
            #expect(cancelled.status == 200)
            #expect(cancelled.object["status"] as? String == "cancelled")
            try await platform.eventually("stock released") { try await platform.stock(of: product) == 4 }
            #expect(try await platform.send(.POST, "/api/v1/orders/\(order)/cancel", token: token).status == 409)
            try await platform.eventually("delivery stopped") {
                try await platform.send(.GET, "/api/v1/deliveries?order_id=\(order)", token: token).array.first?["status"] as? String == "cancelled"
            }
            try await Task.sleep(for: .milliseconds(300))
            #expect(try await platform.stock(of: product) == 4)
        }
    }

    @Test("deliveries: admin-only changes along the state machine, public tracking, mail log for admins only")
    func deliveryRules() async throws {
        try await RunningPlatform.run { platform in
            let admin = try await platform.admin()
            let product = try await platform.product(name: "Linen apron", price: 3_000, stock: 5, admin: admin)
            let (token, _, _) = try await platform.customer("Robin")
            let address = try await platform.address(token: token, country: "US", postalCode: "10001-1234")
            try await platform.send(.POST, "/api/v1/baskets/mine/items", json: ["product_id": product, "quantity": 1], token: token)
            let order = try #require(
                try await platform.send(.POST, "/api/v1/orders", json: ["shipping_address_id": address], token: token).object["id"] as? String
            )
            var delivery: [String: Any] = [:]
            try await platform.eventually("delivery opened") {
                delivery = try await platform.send(.GET, "/api/v1/deliveries?order_id=\(order)", token: token).array.first ?? [:]
                return !delivery.isEmpty
            }
            #expect(delivery["carrier"] as? String == "UPS")
            #expect((delivery["tracking_number"] as? String)?.hasSuffix("US") == true)
            let path = "/api/v1/deliveries/\(delivery["id"] as! String)"

            #expect(try await platform.send(.PATCH, path, json: ["status": "shipped"], token: token).status == 403)
            #expect(try await platform.send(.PATCH, path, json: ["status": "shipped"]).status == 401)
            let bad = try await platform.send(.PATCH, path, json: ["status": "teleported"], token: admin)
            #expect(bad.status == 422)
            #expect(bad.problemFields == ["status"])
            #expect(try await platform.send(.PATCH, path, json: ["status": "cancelled"], token: admin).status == 422)
            #expect(try await platform.send(.PATCH, path, json: ["status": "delivered"], token: admin).status == 409)
            #expect(
                try await platform.send(.PATCH, "/api/v1/deliveries/\(UUID().uuidString)", json: ["status": "shipped"], token: admin).status == 404
            )
            let moved = try await platform.send(.PATCH, path, json: ["status": "in_transit", "carrier": "FedEx"], token: admin)
            #expect(moved.status == 409)
            #expect(
                try await platform.send(.PATCH, path, json: ["status": "shipped", "carrier": "FedEx"], token: admin).object["carrier"] as? String
                    == "FedEx"
            )
            #expect(try await platform.send(.PATCH, path, json: ["status": "in_transit"], token: admin).status == 200)
            #expect(try await platform.send(.PATCH, path, json: ["status": "delivered"], token: admin).status == 200)
            try await platform.eventually("order delivered") {
                try await platform.send(.GET, "/api/v1/orders/\(order)", token: token).object["status"] as? String == "delivered"
            }
            #expect(try await platform.send(.PATCH, path, json: ["status": "preparing"], token: admin).status == 409)

            let tracking = delivery["tracking_number"] as! String
            let tracked = try await platform.send(.GET, "/api/v1/deliveries/track/\(tracking.lowercased())")
            #expect(tracked.object["status"] as? String == "delivered")
            #expect(
                (tracked.object["events"] as? [[String: Any]])?.compactMap { $0["status"] as? String } == [
                    "preparing", "shipped", "in_transit", "delivered",
                ]
            )
            #expect(tracked.object["order_id"] == nil && tracked.object["user_id"] == nil)
            #expect(try await platform.send(.GET, "/api/v1/deliveries/track/CTNOPE").status == 404)
            #expect(try await platform.send(.GET, "/api/v1/deliveries?order_id=nope", token: token).status == 422)

            #expect(try await platform.send(.GET, "/api/v1/newsletters/mails", token: token).status == 403)
            #expect(try await platform.send(.GET, "/api/v1/newsletters/mails").status == 401)
            let log = try await platform.send(.GET, "/api/v1/newsletters/mails?per_page=100", token: admin)
            #expect(try log.items.contains { $0["reason"] as? String == "auth.user.registered" })
            #expect(try await platform.send(.GET, "/api/v1/account/overview").status == 401)

            // The merged OpenAPI document covers the new services and the gateway's own route.
            let paths = try await platform.send(.GET, "/api/v1/openapi.json").object["paths"] as? [String: Any] ?? [:]
            for path in [
                "/api/v1/orders", "/api/v1/orders/{id}/cancel", "/api/v1/deliveries/track/{tracking_number}", "/api/v1/deliveries/{id}",
                "/api/v1/newsletters/mails", "/api/v1/account/overview",
            ] {
                #expect(paths[path] != nil, "\(path) missing from the merged document")
            }
        }
    }

    @Test("a price changed after the product went into the basket is never charged at the old price")
    func priceRecheck() async throws {
        try await RunningPlatform.run { platform in
            let admin = try await platform.admin()
            let product = try await platform.product(name: "Oak board", price: 2_000, stock: 5, admin: admin)
            let (token, _, _) = try await platform.customer("Kim")
            let address = try await platform.address(token: token)
            try await platform.send(.POST, "/api/v1/baskets/mine/items", json: ["product_id": product, "quantity": 2], token: token)
            #expect(try await platform.send(.PATCH, "/api/v1/products/\(product)", json: ["price": 2_600], token: admin).status == 200)
            let placed = try await platform.send(.POST, "/api/v1/orders", json: ["shipping_address_id": address], token: token)
            if placed.status == 409 {
                // The basket had not caught up yet: the customer is told, and the basket then shows the new price.
                #expect(placed.problemFields == ["items[0]"])
                try await platform.eventually("basket refreshed") {
                    (try await platform.send(.GET, "/api/v1/baskets/mine", token: token).object["total"] as? Int) == 5_200
                }
            } else {
                #expect(placed.status == 201)
                #expect(placed.object["total"] as? Int == 5_200)
            }
        }
    }
}
