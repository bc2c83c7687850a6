import ComptoirContracts
import ComptoirKit
import ComptoirTesting
import Crypto
import FluentKit
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

@testable import NewslettersService

/// Double opt-in, signed links, templates and campaigns, against the service's HTTP routes.
@Suite struct SubscriptionTests {
    static func links(_ environment: ServiceEnvironment) throws -> SubscriptionLinks {
        let file = environment.configuration.dataDirectory.appendingPathComponent("keys").appendingPathComponent("link-ed25519.key")
        return SubscriptionLinks(
            key: try SigningKey.load(text: nil, variable: "COMPTOIR_LINK_KEY", file: file),
            publicURL: environment.configuration.publicURL
        )
    }

    static func token(in text: String) -> String? {
        text.range(of: #"token=[A-Za-z0-9_\-.]+"#, options: .regularExpression).map { String(text[$0].dropFirst("token=".count)) }
    }

    static func mails(_ environment: ServiceEnvironment, to email: String) async throws -> [OutgoingMail] {
        try await OutgoingMail.query(on: environment.database.fluent).filter(\.$recipient == email).sort(\.$createdAt).all()
    }

    @Test func doubleOptInWithSignedExpiringLinks() async throws {
        try await TestPlatform.withService(NewslettersService.self) { client, environment in
            #expect(try await client.json(.post, "/newsletters/subscriptions", body: ["email": "not-an-email"]).status == .unprocessableContent)
            #expect(try await client.json(.post, "/newsletters/subscriptions", body: ["email": "Zoe@Example.com"]).status == .accepted)
            #expect(try await client.json(.post, "/newsletters/subscriptions", body: ["email": "zoe@example.com"]).status == .accepted)
            let queued = try await Self.mails(environment, to: "zoe@example.com")
            #expect(queued.count == 1, "one confirmation mail however often the form is sent")
            let token = try #require(Self.token(in: queued[0].bodyText))

            // Forged, truncated, wrong-purpose and expired tokens are refused.
            var forged = Array(token)
            forged[forged.count / 3] = forged[forged.count / 3] == "A" ? "B" : "A"
            #expect(try await client.json(.get, "/newsletters/subscriptions/confirm?token=\(String(forged))").status == .badRequest)
            #expect(try await client.json(.get, "/newsletters/subscriptions/confirm?token=\(token.dropLast(5))").status == .badRequest)
            #expect(try await client.json(.get, "/newsletters/subscriptions/confirm").status == .badRequest)
            let links = try Self.links(environment)
            let unsubscribe = try #require(Self.token(in: try links.unsubscribeURL(email: "zoe@example.com", websiteId: .defaultWebsite)))
            #expect(try await client.json(.get, "/newsletters/subscriptions/confirm?token=\(unsubscribe)").status == .badRequest)
            let expired = try LinkToken(
                purpose: "confirm",
                email: "zoe@example.com",
                websiteId: .defaultWebsite,
                expiresAt: Date().addingTimeInterval(-1)
            )
            .signed(with: links.key)
            #expect(try await client.json(.get, "/newsletters/subscriptions/confirm?token=\(expired)").status == .gone)
            let otherKey = try LinkToken(
                purpose: "confirm",
                email: "zoe@example.com",
                websiteId: .defaultWebsite,
                expiresAt: Date().addingTimeInterval(60)
            )
            .signed(with: SigningKey(.init()))
            #expect(try await client.json(.get, "/newsletters/subscriptions/confirm?token=\(otherKey)").status == .badRequest)

            let confirmed = try await client.json(.get, "/newsletters/subscriptions/confirm?token=\(token)")
            #expect(confirmed.status == .ok)
            #expect(confirmed.object["status"] as? String == "confirmed")
            // Unsubscribing: JSON body or one-click query; forged refused.
            #expect(try await client.json(.post, "/newsletters/unsubscribe", body: ["token": String(forged)]).status == .badRequest)
            let left = try await client.json(.post, "/newsletters/unsubscribe?token=\(unsubscribe)")
            #expect(left.status == .ok)
            #expect(left.object["status"] as? String == "unsubscribed")
            let subscriber = try await Subscriber.query(on: environment.database.fluent).filter(\.$email == "zoe@example.com").first()
            #expect(subscriber?.status == "unsubscribed")
        }
    }

    @Test func campaignsReachConfirmedSubscribersOnlyOnceEachWithAnUnsubscribeHeader() async throws {
        try await TestPlatform.withService(NewslettersService.self, environment: ["COMPTOIR_CAMPAIGN_BATCH_SIZE": "2"]) { client, environment in
            let marketing = try await TestPlatform.token(environment, roles: [.marketing])
            let links = try Self.links(environment)
            let database = environment.database.fluent
            for (email, status) in [
                ("a@example.com", "confirmed"), ("b@example.com", "confirmed"), ("c@example.com", "confirmed"), ("p@example.com", "pending"),
                ("u@example.com", "unsubscribed"),
            ] {
                let subscriber = Subscriber(websiteId: .defaultWebsite, email: email)
                subscriber.status = status
                try await subscriber.create(on: database)
            }
            #expect(
                try await client.json(
                    .post,
                    "/newsletters/templates",
                    body: ["name": "x", "subject": "s", "text": "t"],
                    token: try await TestPlatform.token(environment)
                ).status == .forbidden
            )
            let broken = try await client.json(
                .post,
                "/newsletters/templates",
                body: ["name": "Broken", "subject": "Hi {{/closed}}", "text": "{{#open}} never closed"],
                token: marketing
            )
            #expect(broken.status == .unprocessableContent)
            #expect(Set(broken.problemFields) == ["subject", "text"])
            let template = try await client.json(
                .post,
                "/newsletters/templates",
                body: [
                    "name": "Winter sale", "subject": "Winter sale for {{email}}", "text": "Hello {{email}}, 20% off until Sunday.",
                    "html": "<p>Hello {{email}} &amp; {{name}}</p><a href=\"{{unsubscribe_url}}\">Unsubscribe</a>",
                ],
                token: marketing
            )
            #expect(template.status == .created)
            let templateId = try #require(template.object["id"] as? String)
            let preview = try await client.json(
                .post,
                "/newsletters/templates/\(templateId)/preview",
                body: ["values": ["name": "<b>Bo</b>"]],
                token: marketing
            )
            #expect(preview.object["subject"] as? String == "Winter sale for subscriber@example.com")
            #expect((preview.object["text"] as? String)?.contains("Unsubscribe: http") == true, "a text part without the link gets one")
            #expect((preview.object["html"] as? String)?.contains("&lt;b&gt;Bo&lt;/b&gt;") == true)

            let created = try await client.json(
                .post,
                "/newsletters/campaigns",
                body: ["subject": "Winter sale", "template_id": templateId],
                token: marketing
            )
            #expect(created.object["status"] as? String == "draft")
            let campaign = try #require(created.object["id"] as? String)
            #expect(try await client.json(.post, "/newsletters/campaigns/\(campaign)/send", token: marketing).status == .accepted)

            let sender = MailSender(environment: environment)
            let runner = CampaignRunner(environment: environment, sender: sender, links: links)
            while try await runner.runPass() {}
            try await runner.runPass()
            #expect(try await sender.sendBatch() == 3)
            try await runner.runPass()
            let sent = try await client.json(.get, "/newsletters/campaigns/\(campaign)", token: marketing)
            #expect(sent.object["status"] as? String == "sent")
            #expect(sent.object["sent_count"] as? Int == 3)
            #expect(try await client.json(.post, "/newsletters/campaigns/\(campaign)/send", token: marketing).status == .conflict)
            for email in ["p@example.com", "u@example.com"] { #expect(try await Self.mails(environment, to: email).isEmpty) }
            let mailToA = try #require(try await Self.mails(environment, to: "a@example.com").first)
            #expect(mailToA.listUnsubscribe?.contains("/api/v1/newsletters/unsubscribe?token=") == true)
            let eml = try String(
                contentsOf: environment.configuration.dataDirectory.appendingPathComponent("mail").appendingPathComponent(
                    mailToA.messageId.trimmingCharacters(in: CharacterSet(charactersIn: "<>")).replacingOccurrences(of: "@", with: "_") + ".eml"
                ),
                encoding: .utf8
            )
            #expect(eml.contains("List-Unsubscribe: <http"))
            #expect(eml.contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click"))
            #expect(eml.contains("Content-Type: text/plain"))

            // After a's unsubscription, the next campaign skips a.
            let unsubscribeToken = try #require(Self.token(in: mailToA.listUnsubscribe!))
            #expect(try await client.json(.post, "/newsletters/unsubscribe", body: ["token": unsubscribeToken]).status == .ok)
            let second = try #require(
                try await client.json(.post, "/newsletters/campaigns", body: ["subject": "Spring", "template_id": templateId], token: marketing)
                    .object["id"] as? String
            )
            try await client.json(.post, "/newsletters/campaigns/\(second)/send", token: marketing)
            while try await runner.runPass() {}
            #expect(try await sender.sendBatch() == 2)
            #expect(try await Self.mails(environment, to: "a@example.com").count == 1)
        }
    }
}
