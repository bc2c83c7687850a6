import ComptoirContracts
import ComptoirKit
import ComptoirTesting
import FluentKit
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

@testable import ContactsService

@Suite struct ContactFormTests {
    static var valid: [String: Any] { ["name": "Ann", "email": "Ann@Example.com", "topic": "press", "message": "Could we interview your founders?"] }

    static func from(_ ip: String) -> HTTPFields { [.xForwardedFor: ip] }

    @Test func aMessageIsStoredRoutedByTopicAndAnnounced() async throws {
        try await TestPlatform.withService(ContactsService.self, environment: ["COMPTOIR_CONTACT_ROUTES": "press=media@shop.example"]) {
            client,
            environment in
            let sent = try await client.json(.post, "/contacts", body: Self.valid, headers: Self.from("203.0.113.7"))
            #expect(sent.status == .accepted)
            #expect(sent.object["status"] as? String == "received")
            let admin = try await TestPlatform.token(environment, roles: [.admin])
            let list = try await client.json(.get, "/contacts", token: admin)
            let item = try #require((list.object["items"] as? [[String: Any]])?.first)
            #expect(item["email"] as? String == "ann@example.com")
            #expect(item["routed_to"] as? String == "media@shop.example")
            #expect(item["client_ip"] as? String == "203.0.113.7")
            #expect(try await client.json(.get, "/contacts?topic=sales", token: admin).object["total"] as? Int == 0)
            #expect(try await client.json(.get, "/contacts?topic=gossip", token: admin).status == .unprocessableContent)
            #expect(try await client.json(.get, "/contacts", token: try await TestPlatform.token(environment)).status == .forbidden)
            #expect(try await client.json(.get, "/contacts").status == .unauthorized)
            // The event for newsletters is in the outbox, with the team address.
            let event = try #require(
                try await OutboxMessage.query(on: environment.database.fluent).filter(\.$type == ContactMessageReceived.type).first()
            )
            #expect(event.envelope.contains("media@shop.example"))
        }
    }

    @Test func everyFieldIsValidatedAndHostileInputIsJustText() async throws {
        try await TestPlatform.withService(ContactsService.self) { client, environment in
            let invalid = try await client.json(
                .post,
                "/contacts",
                body: ["name": "", "email": "nope", "topic": "gossip", "message": "hi"],
                headers: Self.from("198.51.100.1")
            )
            #expect(invalid.status == .unprocessableContent)
            #expect(Set(invalid.problemFields) == ["name", "email", "topic", "message"])
            #expect(try await client.json(.post, "/contacts", body: ["name": 1], headers: Self.from("198.51.100.2")).status == .unprocessableContent)
            var hostile = Self.valid
            hostile["name"] = "<script>alert(1)</script>'; DROP TABLE contact_messages; --"
            #expect(try await client.json(.post, "/contacts", body: hostile, headers: Self.from("198.51.100.3")).status == .accepted)
            let admin = try await TestPlatform.token(environment, roles: [.admin])
            let stored = try await client.json(.get, "/contacts", token: admin).object["items"] as? [[String: Any]]
            #expect(stored?.first?["name"] as? String == hostile["name"] as? String)
        }
    }

    @Test func theHoneypotIsAnsweredLikeARealMessageAndDropped() async throws {
        try await TestPlatform.withService(ContactsService.self) { client, environment in
            var bot = Self.valid
            bot["website"] = "http://spam.example"
            let answer = try await client.json(.post, "/contacts", body: bot, headers: Self.from("192.0.2.1"))
            #expect(answer.status == .accepted)
            #expect(answer.object["id"] is String)
            let admin = try await TestPlatform.token(environment, roles: [.admin])
            #expect(try await client.json(.get, "/contacts", token: admin).object["total"] as? Int == 0)
            #expect(try await OutboxMessage.query(on: environment.database.fluent).count() == 0)
        }
    }

    @Test func eachAddressIsRateLimited() async throws {
        try await TestPlatform.withService(ContactsService.self, environment: ["COMPTOIR_CONTACT_RATE_LIMIT": "3/1h"]) { client, _ in
            for _ in 0..<3 {
                #expect(try await client.json(.post, "/contacts", body: Self.valid, headers: Self.from("192.0.2.50")).status == .accepted)
            }
            let limited = try await client.json(.post, "/contacts", body: Self.valid, headers: Self.from("192.0.2.50"))
            #expect(limited.status == .tooManyRequests)
            #expect(Int(limited.headers[.retryAfter] ?? "") ?? 0 > 0)
            // Invalid attempts count too, and another address has its own allowance.
            #expect(try await client.json(.post, "/contacts", body: ["name": ""], headers: Self.from("192.0.2.50")).status == .tooManyRequests)
            #expect(try await client.json(.post, "/contacts", body: Self.valid, headers: Self.from("192.0.2.51")).status == .accepted)
        }
    }
}
