import Foundation
import NIOHTTP1
import Testing

/// What the back-office and the storefront's fixes stand on (issue 16), through the gateway:
/// stock checked wherever a quantity is chosen, a staff cancellation's reason shown to the
/// customer, a cancelled parcel without a date, staff reads, image order, template editing,
/// the subscriber list, message authors and the password reset mail.
@Suite("Staff tools and shopper fixes") struct StaffToolsTests {
    @Test("quantities and checkout respect the stock; an admin's cancellation reason reaches the customer; no date for a cancelled parcel")
    func stockCancellationAndDelivery() async throws {
        try await RunningPlatform.run { platform in
            let admin = try await platform.admin()
            let product = try await platform.product(name: "Enamel mug", price: 1_500, stock: 7, admin: admin)
            let (token, userId, email) = try await platform.customer("Rosa")
            let address = try await platform.address(token: token)
            let item = "/api/v1/baskets/mine/items"
            try await platform.send(.POST, item, json: ["product_id": product, "quantity": 1], token: token)
            let tooMany = try await platform.send(.PATCH, "\(item)/\(product)", json: ["quantity": 20], token: token)
            #expect(tooMany.status == 409 && tooMany.text.contains("Only 7"), "\(tooMany.status) \(tooMany.text)")
            #expect(try await platform.send(.PATCH, "\(item)/\(product)", json: ["quantity": 5], token: token).status == 200)

            // The stock fell after the line was added: checkout says so instead of "thank you" then a cancellation.
            #expect(try await platform.send(.PUT, "/api/v1/products/\(product)/stock", json: ["stock": 3], token: admin).status == 200)
            let short = try await platform.send(.POST, "/api/v1/orders", json: ["shipping_address_id": address], token: token)
            #expect(short.status == 409 && short.problemFields == ["items[0]"], "\(short.text)")
            #expect((short.object["detail"] as? String ?? "").contains("only 3 of Enamel mug left"), "\(short.text)")

            try await platform.send(.PATCH, "\(item)/\(product)", json: ["quantity": 3], token: token)
            let placed = try await platform.send(.POST, "/api/v1/orders", json: ["shipping_address_id": address], token: token)
            let order = try #require(placed.object["id"] as? String)
            #expect(placed.object["customer_email"] as? String == email && placed.object["customer_name"] as? String == "Rosa")
            try await platform.eventually("confirmed and a parcel opened") {
                try await platform.send(.GET, "/api/v1/deliveries?order_id=\(order)", token: token).array.first?["estimated_delivery"] != nil
            }

            // Support reads every order (the desk shows a customer's orders) but changes none.
            let agent = try await platform.agent(admin: admin)
            #expect(try await platform.send(.GET, "/api/v1/orders/\(order)", token: agent.token).status == 200)
            #expect(try await platform.send(.GET, "/api/v1/orders?user_id=\(userId)", token: agent.token).items.count == 1)
            #expect(try await platform.send(.POST, "/api/v1/orders/\(order)/cancel", token: agent.token).status == 404)
            #expect(try await platform.send(.GET, "/api/v1/deliveries?order_id=\(order)", token: agent.token).array.count == 1)

            // Filters the back-office offers: the customer's e-mail, the day placed.
            let today = String(ISO8601DateFormatter().string(from: Date()).prefix(10))
            #expect(try await platform.send(.GET, "/api/v1/orders?customer_email=\(email)&from=\(today)&to=\(today)", token: admin).items.count == 1)
            #expect(try await platform.send(.GET, "/api/v1/orders?customer_email=\(email)&from=2999-01-01", token: admin).items.isEmpty)
            let badDay = try await platform.send(.GET, "/api/v1/orders?from=2026-02-30", token: admin)
            #expect(badDay.status == 422 && badDay.problemFields == ["from"])

            let reason = "The mug was damaged in our warehouse; you have not been charged."
            let cancelled = try await platform.send(.POST, "/api/v1/orders/\(order)/cancel", json: ["reason": reason], token: admin)
            #expect(cancelled.status == 200, "\(cancelled.text)")
            let seen = try await platform.send(.GET, "/api/v1/orders/\(order)", token: token).object
            #expect(seen["status"] as? String == "cancelled" && seen["cancel_reason"] as? String == reason)
            try await platform.eventually("the parcel cancelled, without an estimate") {
                let parcel = try await platform.send(.GET, "/api/v1/deliveries?order_id=\(order)", token: token).array.first ?? [:]
                return parcel["status"] as? String == "cancelled" && parcel["estimated_delivery"] == nil
            }
            #expect(try await platform.stock(of: product) == 3)
            let long = try await platform.send(
                .POST,
                "/api/v1/orders/\(order)/cancel",
                json: ["reason": String(repeating: "x", count: 501)],
                token: admin
            )
            #expect(long.status == 422 && long.problemFields == ["reason"])
        }
    }

    @Test("image order and removal, template editing with a draft preview, the subscriber list, message authors, the reset mail")
    func catalogNewslettersSupportAndReset() async throws {
        try await RunningPlatform.run { platform in
            let admin = try await platform.admin()
            let product = try await platform.product(name: "Linen towel", price: 900, stock: 2, admin: admin)
            let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + [UInt8](repeating: 0, count: 32)
            var images: [String] = []
            for _ in 0..<3 {
                let uploaded = try await platform.upload("/api/v1/products/\(product)/images", bytes: png, contentType: "image/png", token: admin)
                images.append(try #require(uploaded.object["id"] as? String))
            }
            let reordered = try await platform.send(
                .PUT,
                "/api/v1/products/\(product)/images",
                json: ["image_ids": Array(images.reversed())],
                token: admin
            )
            #expect(reordered.status == 200, "\(reordered.text)")
            func shown() async throws -> [String] {
                (try await platform.send(.GET, "/api/v1/products/\(product)").object["images"] as? [String] ?? []).map {
                    String($0.split(separator: "/").last ?? "")
                }
            }
            #expect(try await shown() == Array(images.reversed()))
            let partial = try await platform.send(.PUT, "/api/v1/products/\(product)/images", json: ["image_ids": [images[0]]], token: admin)
            #expect(partial.status == 422 && partial.problemFields == ["image_ids"])
            #expect(try await platform.send(.DELETE, "/api/v1/products/\(product)/images/\(images[2])", token: admin).status == 204)
            #expect(try await shown() == [images[1], images[0]])
            #expect(try await platform.send(.GET, "/api/v1/products/\(product)/images/\(images[2])").status == 404)

            // Newsletters: the list marketing searches, a template edited and previewed before saving.
            for address in ["ana@example.com", "bob@example.com"] {
                #expect(try await platform.send(.POST, "/api/v1/newsletters/subscriptions", json: ["email": address]).status == 202)
            }
            let found = try await platform.send(.GET, "/api/v1/newsletters/subscribers?q=ana&status=pending", token: admin)
            #expect(try found.items.compactMap { $0["email"] as? String } == ["ana@example.com"], "\(found.text)")
            #expect(try await platform.send(.GET, "/api/v1/newsletters/subscribers?status=gone", token: admin).status == 422)
            let template = try await platform.send(
                .POST,
                "/api/v1/newsletters/templates",
                json: ["name": "Spring", "subject": "Spring sale", "text": "Hello {{email}}"],
                token: admin
            )
            let templateId = try #require(template.object["id"] as? String)
            let updated = try await platform.send(
                .PUT,
                "/api/v1/newsletters/templates/\(templateId)",
                json: ["name": "Spring", "subject": "Spring sale, 20 % off", "text": "Dear {{email}}, it is spring."],
                token: admin
            )
            #expect(updated.status == 200 && updated.object["subject"] as? String == "Spring sale, 20 % off")
            #expect(
                try await platform.send(.GET, "/api/v1/newsletters/templates/\(templateId)", token: admin).object["text"] as? String
                    == "Dear {{email}}, it is spring."
            )
            let preview = try await platform.send(
                .POST,
                "/api/v1/newsletters/templates/preview",
                json: ["subject": "Hi {{email}}", "text": "Unsaved {{email}}", "values": ["email": "zoe@example.com"]],
                token: admin
            )
            #expect(preview.object["subject"] as? String == "Hi zoe@example.com")
            #expect((preview.object["text"] as? String ?? "").hasPrefix("Unsaved zoe@example.com"), "\(preview.text)")
            let broken = try await platform.send(
                .POST,
                "/api/v1/newsletters/templates/preview",
                json: ["subject": "x", "text": "{{#open}}"],
                token: admin
            )
            #expect(broken.status == 422)

            // Support: who wrote what, as the customer sees it; the contact form's messages.
            let (token, _, email) = try await platform.customer("Iris")
            let agent = try await platform.agent(admin: admin)
            let ticket = try await platform.send(
                .POST,
                "/api/v1/sav/tickets",
                json: ["subject": "Towel", "message": "It is too small."],
                token: token
            )
            let ticketId = try #require(ticket.object["id"] as? String)
            try await platform.send(
                .POST,
                "/api/v1/sav/tickets/\(ticketId)/messages",
                json: ["body": "We will send a bigger one."],
                token: agent.token
            )
            let thread = try await platform.send(.GET, "/api/v1/sav/tickets/\(ticketId)", token: token).object["messages"] as? [[String: Any]] ?? []
            #expect(thread.compactMap { $0["author_name"] as? String } == ["Iris", "Customer support"])
            #expect(try await platform.send(.GET, "/api/v1/contacts", token: agent.token).status == 200)

            // The reset mail is sent, and the log does not give its link away.
            #expect(try await platform.send(.POST, "/api/v1/auth/password/forgot", json: ["email": email]).status == 202)
            #expect(try await platform.send(.POST, "/api/v1/auth/password/forgot", json: ["email": "nobody@example.com"]).status == 202)
            try await platform.eventually("the reset mail sent") {
                let mails = try await platform.send(.GET, "/api/v1/newsletters/mails?to=\(email)&reason=auth.password.reset_requested", token: admin)
                return try mails.items.first?["status"] as? String == "sent"
            }
            let logged = try await platform.send(.GET, "/api/v1/newsletters/mails?to=\(email)&reason=auth.password.reset_requested", token: admin)
            let body = try logged.items.first?["body_text"] as? String ?? ""
            #expect(body.contains("redacted") && !body.contains("token="), "\(body)")
        }
    }
}
