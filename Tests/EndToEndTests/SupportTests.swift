import AsyncHTTPClient
import ComptoirTesting
import Foundation
import NIOCore
import NIOHTTP1
import Testing

/// The support flow of ARCHITECTURE.md, through the gateway.
@Suite("Support tickets, end to end") struct SupportTests {
    @Test("a ticket with a 10 MiB attachment that round-trips byte for byte, an agent's reply, the customer's mail; owners only")
    func supportFlow() async throws {
        try await RunningPlatform.run { platform in
            let admin = try await platform.admin()
            let (customer, _, email) = try await platform.customer("Noor")
            let (stranger, _, _) = try await platform.customer("Sacha")
            let (agent, agentId) = try await platform.agent(admin: admin)

            // An order of someone else's cannot be attached to the ticket.
            let product = try await platform.product(name: "Walnut tray", price: 3_900, stock: 5, admin: admin)
            try await platform.send(.POST, "/api/v1/baskets/mine/items", json: ["product_id": product, "quantity": 1], token: stranger)
            let strangersOrder = try #require(
                try await platform.send(
                    .POST,
                    "/api/v1/orders",
                    json: ["shipping_address_id": try await platform.address(token: stranger)],
                    token: stranger
                )
                .object["id"] as? String
            )
            let notMine = try await platform.send(
                .POST,
                "/api/v1/sav/tickets",
                json: ["subject": "Broken tray", "message": "It arrived broken.", "order_id": strangersOrder],
                token: customer
            )
            #expect(notMine.status == 422)
            #expect(notMine.problemFields == ["order_id"])
            let invalid = try await platform.send(.POST, "/api/v1/sav/tickets", json: ["subject": "", "message": ""], token: customer)
            #expect(Set(invalid.problemFields) == ["subject", "message"])
            #expect(try await platform.send(.POST, "/api/v1/sav/tickets", json: ["subject": "Hello", "message": "Hi"]).status == 401)

            let opened = try await platform.send(
                .POST,
                "/api/v1/sav/tickets",
                json: ["subject": "Broken tray", "message": "It arrived in two pieces."],
                token: customer
            )
            #expect(opened.status == 201, "\(opened.text)")
            #expect(opened.object["status"] as? String == "open")
            let number = try #require(opened.object["number"] as? String)
            #expect(number.range(of: #"^T\d{4}-\d{6}$"#, options: .regularExpression) != nil)
            let ticket = try #require(opened.object["id"] as? String)
            #expect(try await platform.send(.GET, "/api/v1/account/overview", token: customer).object["open_tickets"] as? Int == 1)

            // A 10 MiB photo goes in and comes back byte for byte; one byte more is refused.
            var generator = SystemRandomNumberGenerator()
            let photo = (0..<(10 << 20)).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let attached = try await platform.upload(
                "/api/v1/sav/tickets/\(ticket)/attachments",
                bytes: photo,
                contentType: "image/jpeg",
                token: customer,
                headers: ["X-Filename": "C:\\photos\\tray été.jpg"]
            )
            #expect(attached.status == 201, "\(attached.text)")
            #expect(attached.object["size"] as? Int == photo.count)
            #expect(attached.object["filename"] as? String == "tray été.jpg")
            let attachment = try #require(attached.object["id"] as? String)
            let downloaded = try await platform.send(.GET, "/api/v1/sav/tickets/\(ticket)/attachments/\(attachment)", token: customer)
            #expect(downloaded.status == 200)
            #expect(downloaded.body == Data(photo))
            #expect(downloaded.headers["Content-Disposition"].first?.hasPrefix("attachment;") == true)
            #expect(downloaded.headers["X-Content-Type-Options"].first == "nosniff")
            let tooBig = try await platform.upload(
                "/api/v1/sav/tickets/\(ticket)/attachments",
                bytes: photo + [0],
                contentType: "image/jpeg",
                token: customer,
                headers: ["X-Filename": "big.jpg"]
            )
            #expect(tooBig.status == 413)
            let unnamed = try await platform.upload(
                "/api/v1/sav/tickets/\(ticket)/attachments",
                bytes: [1, 2, 3],
                contentType: "image/jpeg",
                token: customer
            )
            #expect(unnamed.status == 422)
            #expect(unnamed.problemFields == ["X-Filename"])

            // Nobody else sees the ticket or its files.
            #expect(try await platform.send(.GET, "/api/v1/sav/tickets/\(ticket)", token: stranger).status == 404)
            #expect(try await platform.send(.GET, "/api/v1/sav/tickets/\(ticket)/attachments/\(attachment)", token: stranger).status == 404)
            // Refused before its body is read: the gateway still hands back a sound connection.
            let intruding = try await platform.upload(
                "/api/v1/sav/tickets/\(ticket)/attachments",
                bytes: photo,
                contentType: "image/jpeg",
                token: stranger,
                headers: ["X-Filename": "x.jpg"]
            )
            #expect(intruding.status == 404)
            #expect(try await platform.send(.POST, "/api/v1/sav/tickets/\(ticket)/messages", json: ["body": "hi"], token: stranger).status == 404)
            #expect(try await platform.send(.GET, "/api/v1/sav/tickets", token: stranger).object["total"] as? Int == 0)
            #expect(try await platform.send(.PATCH, "/api/v1/sav/tickets/\(ticket)", json: ["status": "closed"], token: customer).status == 403)

            // The team was told; an agent finds it in the queue, takes it and answers.
            try await platform.eventually("support team mailed") {
                try await platform.send(.GET, "/api/v1/newsletters/mails?to=support@comptoir.localhost", token: admin).items
                    .contains { $0["subject"] as? String == "[\(number)] New ticket: Broken tray" && $0["status"] as? String == "sent" }
            }
            let queue = try await platform.send(.GET, "/api/v1/sav/tickets?status=open&assignee=none", token: agent)
            #expect(try queue.items.contains { $0["id"] as? String == ticket })
            let assigned = try await platform.send(.PATCH, "/api/v1/sav/tickets/\(ticket)", json: ["assignee_id": agentId], token: agent)
            #expect(assigned.object["assignee_id"] as? String == agentId.uppercased() || assigned.object["assignee_id"] as? String == agentId)
            #expect(try await platform.send(.GET, "/api/v1/sav/tickets?assignee=\(agentId)", token: agent).object["total"] as? Int == 1)
            let answered = try await platform.send(
                .POST,
                "/api/v1/sav/tickets/\(ticket)/messages",
                json: ["body": "Sorry! A new tray leaves today."],
                token: agent
            )
            #expect(answered.status == 201)
            #expect(answered.object["status"] as? String == "pending")
            try await platform.eventually("customer mailed the reply") {
                try await platform.send(.GET, "/api/v1/newsletters/mails?to=\(email)", token: admin).items
                    .contains {
                        $0["subject"] as? String == "Re: [\(number)] Broken tray"
                            && ($0["body_text"] as? String)?.contains("A new tray leaves today") == true
                    }
            }

            // The customer sees the whole thread; the state machine holds.
            let seen = try await platform.send(.GET, "/api/v1/sav/tickets/\(ticket)", token: customer)
            #expect((seen.object["messages"] as? [[String: Any]])?.compactMap { $0["author_role"] as? String } == ["customer", "support"])
            #expect((seen.object["attachments"] as? [[String: Any]])?.count == 1)
            #expect(try await platform.send(.PATCH, "/api/v1/sav/tickets/\(ticket)", json: ["status": "lost"], token: agent).status == 422)
            #expect(try await platform.send(.PATCH, "/api/v1/sav/tickets/\(ticket)", json: ["status": "closed"], token: agent).status == 200)
            #expect(try await platform.send(.PATCH, "/api/v1/sav/tickets/\(ticket)", json: ["status": "open"], token: agent).status == 409)
            #expect(try await platform.send(.POST, "/api/v1/sav/tickets/\(ticket)/messages", json: ["body": "Thanks"], token: customer).status == 409)
        }
    }

    @Test(
        "with presigned downloads an attachment is handed out as a short-lived URL of the store, to its owner only",
        .enabled(if: TestPlatform.s3Endpoint != nil, "set COMPTOIR_TEST_S3_ENDPOINT to run with an S3 server")
    )
    func presignedAttachmentDownload() async throws {
        try await RunningPlatform.run(environment: ["COMPTOIR_S3_PRESIGNED_DOWNLOADS": "2m"]) { platform in
            let (customer, _, _) = try await platform.customer("Ines")
            let (stranger, _, _) = try await platform.customer("Milo")
            let opened = try await platform.send(
                .POST,
                "/api/v1/sav/tickets",
                json: ["subject": "Scratched lamp", "message": "See the photo."],
                token: customer
            )
            let ticket = try #require(opened.object["id"] as? String)
            let photo = (0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ $0 >> 9) }
            let attached = try await platform.upload(
                "/api/v1/sav/tickets/\(ticket)/attachments",
                bytes: photo,
                contentType: "image/jpeg",
                token: customer,
                headers: ["X-Filename": "lamp.jpg"]
            )
            let path = "/api/v1/sav/tickets/\(ticket)/attachments/\(try #require(attached.object["id"] as? String))"

            let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(redirectConfiguration: .disallow))
            var request = HTTPClientRequest(url: platform.gateway.absoluteString + path)
            request.headers.add(name: "Authorization", value: "Bearer \(customer)")
            let redirect = try await client.execute(request, timeout: .seconds(30))
            #expect(redirect.status.code == 307)
            let location = try #require(redirect.headers.first(name: "Location"))
            #expect(location.hasPrefix(TestPlatform.s3Endpoint!) && location.contains("X-Amz-Signature="))
            #expect(redirect.headers.first(name: "Cache-Control") == "private, no-store")
            // Pages may show pictures from the store then, and only from it besides the gateway.
            let policy = try #require(redirect.headers.first(name: "Content-Security-Policy"))
            #expect(policy.contains("img-src 'self' data: blob: \(TestPlatform.s3Endpoint!);"))
            // The store hands the bytes to whoever holds the URL, with no credentials of ours.
            let fetched = try await client.execute(HTTPClientRequest(url: location), timeout: .seconds(30))
            #expect(fetched.status.code == 200)
            #expect(Array(try await fetched.body.collect(upTo: 1 << 20).readableBytesView) == photo)
            // The access check comes first: a stranger gets no URL.
            #expect(try await platform.send(.GET, path, token: stranger).status == 404)
            try await client.shutdown()
        }
    }
}
