import ComptoirKit
import Foundation
import NIOHTTP1
import Testing

/// The purchase saga of ARCHITECTURE.md, through the gateway only.
@Suite("Purchase, end to end") struct PurchaseTests {
    @Test("register, search, basket, address, idempotent checkout, saga, delivery, tracking, shipping; an order beyond the stock is refused")
    func purchase() async throws {
        try await RunningPlatform.run(loadDemoData: true) { platform in
            let admin = try await platform.admin()
            let lamp = try await platform.product(name: "Brass reading lamp", price: 4_990, stock: 3, admin: admin)
            let (token, _, email) = try await platform.customer("Camille")
            let (rival, _, _) = try await platform.customer("Rival")

            // Search finds it (and the demo catalog is there).
            let search = try await platform.send(.GET, "/api/v1/products?q=brass%20lamp")
            #expect(try search.items.map { $0["id"] as? String } == [lamp])
            let demo = try await platform.send(.GET, "/api/v1/products?per_page=1")
            #expect((demo.object["total"] as? Int ?? 0) >= 31)

            // Both put two lamps in their baskets while three are left.
            for buyer in [token, rival] {
                let added = try await platform.send(.POST, "/api/v1/baskets/mine/items", json: ["product_id": lamp, "quantity": 2], token: buyer)
                #expect(added.status == 200, "\(added.text)")
            }
            let address = try await platform.address(token: token)

            // Checkout, then the same request again with the same key: one order.
            let key = ["Idempotency-Key": "checkout-\(UUID().uuidString)"]
            let placed = try await platform.send(.POST, "/api/v1/orders", json: ["shipping_address_id": address], token: token, headers: key)
            #expect(placed.status == 201, "\(placed.text)")
            #expect(placed.object["status"] as? String == "pending")
            #expect(placed.object["total"] as? Int == 9_980)
            #expect(placed.object["currency"] as? String == "EUR")
            let number = try #require(placed.object["number"] as? String)
            #expect(number.range(of: #"^\d{4}-\d{6}$"#, options: .regularExpression) != nil)
            let order = try #require(placed.object["id"] as? String)
            let retried = try await platform.send(.POST, "/api/v1/orders", json: ["shipping_address_id": address], token: token, headers: key)
            #expect(retried.status == 201)
            #expect(retried.object["id"] as? String == order)
            #expect(retried.headers["Idempotent-Replayed"].first == "true")

            // The saga confirms it, takes the stock, empties the basket, opens a shipment and mails.
            try await platform.eventually("order confirmed") {
                try await platform.send(.GET, "/api/v1/orders/\(order)", token: token).object["status"] as? String == "confirmed"
            }
            #expect(try await platform.stock(of: lamp) == 1)
            try await platform.eventually("basket emptied") {
                (try await platform.send(.GET, "/api/v1/baskets/mine", token: token).object["items"] as? [Any])?.isEmpty == true
            }
            var deliveries: [[String: Any]] = []
            try await platform.eventually("delivery opened") {
                deliveries = try await platform.send(.GET, "/api/v1/deliveries?order_id=\(order)", token: token).array
                return deliveries.count == 1
            }
            let delivery = deliveries[0]
            let tracking = try #require(delivery["tracking_number"] as? String)
            #expect(delivery["carrier"] as? String == "Colissimo")
            #expect(delivery["status"] as? String == "preparing")
            #expect(delivery["estimated_delivery"] is String)
            try await platform.eventually("confirmation mailed") {
                let mails = try await platform.send(.GET, "/api/v1/newsletters/mails?to=\(email)", token: admin).items
                return mails.contains {
                    $0["subject"] as? String == "Order \(number) confirmed" && $0["reason"] as? String == "orders.order.confirmed"
                }
            }

            // Anyone may track it, and learns nothing personal.
            let tracked = try await platform.send(.GET, "/api/v1/deliveries/track/\(tracking)")
            #expect(tracked.status == 200)
            #expect(tracked.object["status"] as? String == "preparing")
            for secret in [email, "Camille", "Oberkampf", "75011", order, number] { #expect(!tracked.text.contains(secret)) }

            // An admin ships it; the order follows.
            let shipped = try await platform.send(
                .PATCH,
                "/api/v1/deliveries/\(delivery["id"] as! String)",
                json: ["status": "shipped"],
                token: admin
            )
            #expect(shipped.status == 200, "\(shipped.text)")
            try await platform.eventually("order shipped") {
                try await platform.send(.GET, "/api/v1/orders/\(order)", token: token).object["status"] as? String == "shipped"
            }
            let history = try await platform.send(.GET, "/api/v1/orders/\(order)", token: token).object["status_history"] as? [[String: Any]]
            #expect(history?.compactMap { $0["status"] as? String } == ["pending", "confirmed", "shipped"])
            #expect(try await platform.send(.POST, "/api/v1/orders/\(order)/cancel", token: token).status == 409)

            // The account page sees it all in one call.
            let overview = try await platform.send(.GET, "/api/v1/account/overview", token: token)
            #expect(overview.status == 200, "\(overview.text)")
            #expect((overview.object["user"] as? [String: Any])?["email"] as? String == email)
            #expect((overview.object["latest_orders"] as? [[String: Any]])?.first?["id"] as? String == order)
            #expect(overview.object["basket_line_count"] as? Int == 0)
            #expect(overview.object["open_tickets"] as? Int == 0)
            #expect(overview.object["unavailable"] as? [String] == [])

            // The rival's two lamps are more than the one left: refused at checkout, no order, stock unchanged.
            let rivalAddress = try await platform.address(token: rival, country: "DE", postalCode: "10115")
            let beyond = try await platform.send(.POST, "/api/v1/orders", json: ["shipping_address_id": rivalAddress], token: rival)
            #expect(beyond.status == 409 && beyond.problemFields == ["items[0]"], "\(beyond.text)")
            #expect((beyond.object["detail"] as? String ?? "").contains("Not enough stock"), "\(beyond.text)")
            #expect(try await platform.send(.GET, "/api/v1/orders", token: rival).items.isEmpty)
            #expect(try await platform.stock(of: lamp) == 1)
        }
    }

    @Test("20 buyers race for the last 5 units: exactly 5 orders confirmed, stock 0, never below")
    func lastUnitsRace() async throws {
        try await RunningPlatform.run { platform in
            let admin = try await platform.admin()
            let product = try await platform.product(name: "Limited print", price: 12_000, stock: 5, admin: admin)
            var buyers: [(token: String, address: String)] = []
            for index in 0..<20 {
                let (token, _, _) = try await platform.customer("Racer \(index)")
                let added = try await platform.send(.POST, "/api/v1/baskets/mine/items", json: ["product_id": product, "quantity": 1], token: token)
                try #require(added.status == 200, "\(added.text)")
                buyers.append((token, try await platform.address(token: token)))
            }
            // Checkout reads the stock first: a buyer who arrives once the units are held is refused at
            // once (409); the others race in products' reservation, and the saga cancels the losers.
            let answers = try await withThrowingTaskGroup(of: (Reply, String).self) { group in
                for buyer in buyers {
                    group.addTask {
                        (
                            try await platform.send(.POST, "/api/v1/orders", json: ["shipping_address_id": buyer.address], token: buyer.token),
                            buyer.token
                        )
                    }
                }
                return try await group.reduce(into: [(Reply, String)]()) { $0.append($1) }
            }
            let placed = answers.filter { $0.0.status == 201 }.map { ($0.0.object["id"] as? String ?? "", $0.1) }
            let refused = answers.filter { $0.0.status == 409 && ($0.0.object["detail"] as? String ?? "").contains("Not enough stock") }
            #expect(placed.count + refused.count == 20, "\(answers.map { "\($0.0.status) \($0.0.text)" })")
            var statuses: [String] = []
            var reasons: Set<String> = []
            try await platform.eventually("every order settled") {
                statuses = []
                reasons = []
                for (order, token) in placed {
                    let seen = try await platform.send(.GET, "/api/v1/orders/\(order)", token: token).object
                    statuses.append(seen["status"] as? String ?? "?")
                    if let reason = seen["cancel_reason"] as? String { reasons.insert(reason) }
                }
                return !statuses.contains("pending")
            }
            #expect(statuses.filter { $0 == "confirmed" }.count == 5)
            #expect(statuses.filter { $0 == "cancelled" }.count + refused.count == 15)
            // A loser of the reservation race is told which product ran out.
            #expect(reasons.isSubset(of: ["not enough stock of Limited print"]), "\(reasons)")
            #expect(try await platform.stock(of: product) == 0)
            let confirmed = try await platform.send(.GET, "/api/v1/orders?status=confirmed&per_page=100", token: admin)
            #expect(confirmed.object["total"] as? Int == 5)
        }
    }
}
