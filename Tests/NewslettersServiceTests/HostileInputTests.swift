import ComptoirContracts
import ComptoirKit
import ComptoirTesting
import FluentKit
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

@testable import NewslettersService

/// Values that used to stop the whole process (a trap or a stack overflow in the Mustache
/// library, an overflow on an event's prices) are a 422 naming the field, or a rejected event,
/// and the service answers afterwards.
@Suite struct HostileInputTests {
    /// `count` sections, each inside the one before.
    static func nested(_ count: Int, open: String = "{{#a}}") -> String {
        String(repeating: open, count: count) + String(repeating: "{{/a}}", count: count)
    }

    static func template(_ client: any TestClientProtocol, token: String, _ fields: [String: String]) async throws -> TestResponse {
        var body: [String: Any] = ["name": "Hostile", "subject": "Hello", "text": "Hi {{email}}"]
        for (field, value) in fields { body[field] = value }
        return try await client.json(.post, "/newsletters/templates", body: body, token: token)
    }

    @Test func templatesTheMustacheLibraryCannotSurviveAreRefused() async throws {
        try await TestPlatform.withService(NewslettersService.self) { client, environment in
            let marketing = try await TestPlatform.token(environment, roles: [.marketing])
            let oneCharacterDelimiters = "{{=< >=}}<#a></a>"
            let refused: [(field: String, source: String)] = [
                // A reversed range in the parser once `<` and `>` are the delimiters.
                ("text", oneCharacterDelimiters), ("subject", oneCharacterDelimiters), ("html", "<p>" + oneCharacterDelimiters),
                // One recursion per level: the stack overflows.
                ("html", Self.nested(5_000)), ("text", Self.nested(5_000, open: "{{^a}}")),
                ("html", "{{" + String(repeating: "a(", count: 100_000) + "email" + String(repeating: ")", count: 100_000) + "}}"),
                // A `{` joined by a combining mark is no brace for the library: the section behind it counts.
                (
                    "text",
                    String(repeating: "{{\u{301} {{#a}}", count: MustacheSourceCheck.maximumNesting + 1)
                        + String(repeating: "{{/a}}", count: MustacheSourceCheck.maximumNesting + 1)
                ),
                ("text", Self.nested(MustacheSourceCheck.maximumNesting + 1)),
                ("text", "{{uppercased(lowercased(uppercased(lowercased(uppercased(email)))))}}"),
            ]
            for (field, source) in refused {
                let reply = try await Self.template(client, token: marketing, [field: source])
                #expect(reply.status == .unprocessableContent, "\(field): \(source.prefix(40)) answered \(reply.status)")
                #expect(reply.problemFields == [field], "\(source.prefix(40))")
            }
            // The limits leave room for real templates, and comments do not count.
            let accepted = try await Self.template(
                client,
                token: marketing,
                [
                    "text": "{{uppercased(lowercased(email))}}" + Self.nested(MustacheSourceCheck.maximumNesting) + "{{! {{#x {{^y ((((( }}",
                    "html": "<p>{{#name}}Dear {{name}}{{/name}}{{^name}}Hello{{/name}}</p>",
                ]
            )
            #expect(accepted.status == .created, "\(accepted.text)")
            let id = try #require(accepted.object["id"] as? String)
            let preview = try await client.json(
                .post,
                "/newsletters/templates/\(id)/preview",
                body: ["values": ["email": "Zoe@Example.com"]],
                token: marketing
            )
            #expect(preview.status == .ok)
            #expect((preview.object["text"] as? String)?.hasPrefix("ZOE@EXAMPLE.COM") == true)

            // A campaign's subject is a template too.
            let campaign = try await client.json(
                .post,
                "/newsletters/campaigns",
                body: ["subject": oneCharacterDelimiters, "template_id": id],
                token: marketing
            )
            #expect(campaign.status == .unprocessableContent)
            #expect(campaign.problemFields == ["subject"])
            #expect(try await client.json(.get, "/newsletters/templates", token: marketing).status == .ok)
        }
    }

    @Test func previewValuesAreBounded() async throws {
        try await TestPlatform.withService(NewslettersService.self) { client, environment in
            let marketing = try await TestPlatform.token(environment, roles: [.marketing])
            let created = try await Self.template(client, token: marketing, ["text": String(repeating: "{{a}}", count: 10_000)])
            let id = try #require(created.object["id"] as? String)
            let preview = "/newsletters/templates/\(id)/preview"
            let tooLong = String(repeating: "x", count: PreviewRequest.maximumValueLength + 1)
            let tooMany = Dictionary(uniqueKeysWithValues: (0...PreviewRequest.maximumValues).map { ("v\($0)", "x") })
            for values in [["a": tooLong], tooMany, [String(repeating: "k", count: PreviewRequest.maximumNameLength + 1): "x"]] {
                let reply = try await client.json(.post, preview, body: ["values": values], token: marketing)
                #expect(reply.status == .unprocessableContent)
                #expect(reply.problemFields == ["values"])
            }
            let longest = String(repeating: "x", count: PreviewRequest.maximumValueLength)
            let fine = try await client.json(.post, preview, body: ["values": ["a": longest]], token: marketing)
            #expect(fine.status == .ok)
            #expect((fine.object["text"] as? String)?.count ?? 0 >= 10_000 * PreviewRequest.maximumValueLength)
        }
    }

    /// Foundation read `275760-09-13T00:00:00Z`; on PostgreSQL, PostgresNIO's `Int64(microseconds)`
    /// of such a date traps. The kit's RFC 3339 reader stops at year 9999; both campaign routes keep to it.
    @Test func campaignTimesBeyondYear9999AreRefused() async throws {
        try await TestPlatform.withService(NewslettersService.self) { client, environment in
            let marketing = try await TestPlatform.token(environment, roles: [.marketing])
            let template = try #require(try await Self.template(client, token: marketing, [:]).object["id"] as? String)
            let far = "275760-09-13T00:00:00Z"
            let created = try await client.json(
                .post,
                "/newsletters/campaigns",
                body: ["subject": "News", "template_id": template, "scheduled_at": far],
                token: marketing
            )
            #expect(created.status == .unprocessableContent)
            #expect(created.problemFields == ["scheduled_at"])
            let draft = try #require(
                try await client.json(.post, "/newsletters/campaigns", body: ["subject": "News", "template_id": template], token: marketing)
                    .object["id"] as? String
            )
            let send = try await client.json(.post, "/newsletters/campaigns/\(draft)/send", body: ["scheduled_at": far], token: marketing)
            #expect(send.status == .unprocessableContent)
            #expect(send.problemFields == ["scheduled_at"])
            let latest = try await client.json(
                .post,
                "/newsletters/campaigns/\(draft)/send",
                body: ["scheduled_at": "9999-12-31T23:59:59Z"],
                token: marketing
            )
            #expect(latest.status == .accepted)
        }
    }

    @Test func aStoredTemplateTheChecksRefuseStopsItsCampaignOnly() async throws {
        try await TestPlatform.withService(NewslettersService.self) { client, environment in
            let database = environment.database.fluent
            let marketing = try await TestPlatform.token(environment, roles: [.marketing])
            let subscriber = Subscriber(websiteId: .defaultWebsite, email: "ann@example.com")
            subscriber.status = Subscriber.Status.confirmed.rawValue
            try await subscriber.create(on: database)
            // Written before the checks existed, straight into the store.
            let hostile = MailTemplate(websiteId: .defaultWebsite, name: "Old", subject: "Hi", hasHTML: false)
            try await environment.blobs.put(hostile.textKey, contentType: "text/plain; charset=utf-8", bytes: ByteBuffer(string: "{{=< >=}}<#a></a>"))
            try await hostile.create(on: database)
            let good = try #require(try await Self.template(client, token: marketing, [:]).object["id"] as? String)
            var campaigns: [String] = []
            for template in [hostile.id!.uuidString, good] {
                let created = try await client.json(
                    .post,
                    "/newsletters/campaigns",
                    body: ["subject": "News", "template_id": template],
                    token: marketing
                )
                let id = try #require(created.object["id"] as? String)
                #expect(try await client.json(.post, "/newsletters/campaigns/\(id)/send", token: marketing).status == .accepted)
                campaigns.append(id)
            }
            let sender = MailSender(environment: environment)
            let runner = CampaignRunner(environment: environment, sender: sender, links: try SubscriptionTests.links(environment))
            while try await runner.runPass() {}
            #expect(try await sender.sendBatch() == 1)
            try await runner.runPass()
            var sentCounts: [Int?] = []
            for id in campaigns {
                let campaign = try await client.json(.get, "/newsletters/campaigns/\(id)", token: marketing)
                #expect(campaign.object["status"] as? String == "sent")
                sentCounts.append(campaign.object["sent_count"] as? Int)
            }
            #expect(sentCounts == [0, 1], "the refused template's campaign stopped, the other one went out")
        }
    }

    @Test func anOrderWhosePricesOverflowIsRejectedNotMailed() async throws {
        try await TestPlatform.withService(NewslettersService.self) { client, environment in
            func order(_ lines: [OrderLineData], total: Int, number: String) throws -> EventEnvelope {
                try EventEnvelope(
                    OrderConfirmed(
                        orderId: UUID(),
                        number: number,
                        userId: UUID(),
                        websiteId: .defaultWebsite,
                        customerEmail: "lea@example.com",
                        customerName: "Léa",
                        lines: lines,
                        total: total,
                        currency: "EUR",
                        shippingCountry: "FR"
                    ),
                    source: .orders,
                    websiteId: .defaultWebsite
                )
            }
            // Event payloads carry numbers as JSON doubles, exact below 10^15: prices and quantities
            // that arrive intact, yet whose products do not fit in an Int.
            let mug = UUID()
            let price = 999_999_999_999_999
            let absurd = [
                [OrderLineData(productId: mug, name: "Mug", quantity: 10_000, unitPrice: price)],
                [OrderLineData(productId: mug, name: "Mug", quantity: -10_000, unitPrice: price)],
                [
                    OrderLineData(productId: mug, name: "Mug", quantity: 5_000, unitPrice: price),
                    OrderLineData(productId: UUID(), name: "Cup", quantity: 5_000, unitPrice: price),
                ],
            ]
            for lines in absurd {
                await #expect(throws: RejectedEventPayload.self) {
                    try await environment.platform.bus.publish(try order(lines, total: 1, number: "2026-000001"))
                }
            }
            // The largest that fit are mailed, and so is the next ordinary order.
            try await environment.platform.bus.publish(
                try order([OrderLineData(productId: mug, name: "Mug", quantity: 9_000, unitPrice: price)], total: -price, number: "2026-000002")
            )
            try await environment.platform.bus.publish(
                try order([OrderLineData(productId: mug, name: "Mug", quantity: 1, unitPrice: 1250)], total: 1250, number: "2026-000003")
            )
            let admin = try await TestPlatform.token(environment, roles: [.admin])
            let log = try await client.json(.get, "/newsletters/mails?to=lea@example.com", token: admin)
            #expect(log.status == .ok)
            let subjects = (log.object["items"] as? [[String: Any]] ?? []).compactMap { $0["subject"] as? String }
            #expect(Set(subjects) == ["Order 2026-000002 confirmed", "Order 2026-000003 confirmed"])
        }
    }
}
