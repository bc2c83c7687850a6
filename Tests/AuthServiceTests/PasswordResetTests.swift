import ComptoirContracts
import ComptoirKit
import ComptoirTesting
import FluentKit
import Foundation
import HTTPTypes
import HummingbirdTesting
import SQLKit
import Testing

/// `POST /auth/password/forgot` and `/auth/password/reset`: a single-use link valid 30 minutes,
/// an answer that never tells whether the account exists, every session ended by a reset.
@Suite struct PasswordResetTests {
    /// The reset requests in auth's outbox (newsletters mails them).
    static func requests(_ host: ServiceEnvironment) async throws -> [PasswordResetRequested] {
        try await OutboxMessage.query(on: host.database.fluent).filter(\.$type == PasswordResetRequested.type).sort(\.$createdAt).all().map {
            try EventEnvelope.decode(Data($0.envelope.utf8)).payload(as: PasswordResetRequested.self)
        }
    }

    @Test func theAnswerIsTheSameWhetherOrNotTheAccountExists() async throws {
        try await withAuthService { client, host in
            try await client.register("ann@example.com", name: "Ann")
            let unknown = try await client.json(.post, "/auth/password/forgot", body: ["email": "nobody@example.com"])
            let known = try await client.json(.post, "/auth/password/forgot", body: ["email": " Ann@Example.com "])
            #expect(unknown.status == .accepted && known.status == .accepted)
            #expect(unknown.text == known.text)
            let requests = try await Self.requests(host)
            #expect(requests.map(\.email) == ["ann@example.com"])
            #expect(requests.first?.name == "Ann")
            // Asking again at once mails nothing more.
            #expect(try await client.json(.post, "/auth/password/forgot", body: ["email": "ann@example.com"]).status == .accepted)
            #expect(try await Self.requests(host).count == 1)
            #expect(try await client.json(.post, "/auth/password/forgot", body: ["email": "not an address"]).status == .unprocessableContent)
        }
    }

    @Test func aResetSetsThePasswordOnceAndEndsEverySession() async throws {
        try await withAuthService { client, host in
            try await client.register("bea@example.com")
            let before = try await client.login("bea@example.com")
            try await client.json(.post, "/auth/password/forgot", body: ["email": "bea@example.com"])
            let token = try #require(try await Self.requests(host).first?.token)
            let weak = try await client.json(.post, "/auth/password/reset", body: ["token": token, "new_password": "short"])
            #expect(weak.status == .unprocessableContent)
            let reset = try await client.json(.post, "/auth/password/reset", body: ["token": token, "new_password": "a-brand-new-one-2"])
            #expect(reset.status == .noContent)
            _ = try await client.login("bea@example.com", password: "a-brand-new-one-2")
            #expect(
                try await client.json(.post, "/auth/login", body: ["email": "bea@example.com", "password": "correct-horse-1"]).status == .unauthorized
            )
            // The sessions from before the reset are over.
            #expect(try await client.json(.post, "/auth/refresh", body: ["refresh_token": before.refresh]).status == .unauthorized)
            #expect(try await client.json(.get, "/auth/me", token: before.access).status == .unauthorized)
            // The link works once.
            let again = try await client.json(.post, "/auth/password/reset", body: ["token": token, "new_password": "yet-another-one-3"])
            #expect(again.status == .unprocessableContent)
            #expect((again.object["errors"] as? [[String: Any]])?.first?["field"] as? String == "token")
            let forged = try await client.json(.post, "/auth/password/reset", body: ["token": "forged", "new_password": "yet-another-one-3"])
            #expect(forged.status == .unprocessableContent)
        }
    }

    @Test func anExpiredLinkIsRefused() async throws {
        try await withAuthService { client, host in
            try await client.register("cal@example.com")
            try await client.json(.post, "/auth/password/forgot", body: ["email": "cal@example.com"])
            let token = try #require(try await Self.requests(host).first?.token)
            try await host.database.sql.raw("UPDATE password_resets SET expires_at = \(bind: Date().addingTimeInterval(-1))").run()
            let late = try await client.json(.post, "/auth/password/reset", body: ["token": token, "new_password": "a-brand-new-one-2"])
            #expect(late.status == .unprocessableContent)
            _ = try await client.login("cal@example.com")
        }
    }

    @Test func aResetLetsTheOwnerInAfterAStrangerSlowedTheirAddress() async throws {
        try await withAuthService { client, host in
            try await client.register("dee@example.com")
            for _ in 1...5 {
                try await client.json(.post, "/auth/login", body: ["email": "dee@example.com", "password": "wrong-password"])
            }
            #expect(
                try await client.json(.post, "/auth/login", body: ["email": "dee@example.com", "password": "correct-horse-1"]).status
                    == .tooManyRequests
            )
            try await client.json(.post, "/auth/password/forgot", body: ["email": "dee@example.com"])
            let token = try #require(try await Self.requests(host).first?.token)
            #expect(
                try await client.json(.post, "/auth/password/reset", body: ["token": token, "new_password": "a-brand-new-one-2"]).status == .noContent
            )
            _ = try await client.login("dee@example.com", password: "a-brand-new-one-2")
        }
    }
}
