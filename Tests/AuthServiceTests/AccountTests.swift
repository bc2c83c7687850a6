import ComptoirContracts
import ComptoirKit
import ComptoirTesting
import FluentKit
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

/// Registration, login, profile and the registration event.
@Suite struct AccountTests {
    @Test func registerReturnsTheUserAndWritesTheEvent() async throws {
        try await withAuthService { client, host in
            let response = try await client.json(
                .post,
                "/auth/register",
                body: ["email": " Ann@Example.COM ", "password": "correct-horse-1", "name": "Ann"]
            )
            #expect(response.status == .created)
            #expect(response.object["email"] as? String == "ann@example.com")
            #expect(response.object["roles"] as? [String] == ["customer"])
            #expect(response.object["created_at"] is String && response.object["password_hash"] == nil)
            let events = try await OutboxMessage.query(on: host.database.fluent).filter(\.$type == UserRegistered.type).all()
            let envelope = try EventEnvelope.decode(Data(try #require(events.last).envelope.utf8))
            #expect(try envelope.payload(as: UserRegistered.self).email == "ann@example.com")
        }
    }

    @Test func duplicateEmailIs409WhateverTheCase() async throws {
        try await withAuthService { client, _ in
            try await client.register("bob@example.com")
            let again = try await client.json(
                .post,
                "/auth/register",
                body: ["email": "BOB@example.com", "password": "another-pass-1", "name": "Bob"]
            )
            #expect(again.status == .conflict)
        }
    }

    @Test(arguments: [
        (["email": "c@example.com", "password": "short", "name": "C"], "password"),
        (["email": "c@example.com", "password": String(repeating: "é", count: 40), "name": "C"], "password"),
        (["email": "not-an-email", "password": "correct-horse-1", "name": "C"], "email"),
        (["email": "c@example.com", "password": "correct-horse-1", "name": "  "], "name"),
        (["email": "c@example.com", "password": "correct-horse-1"], "name"),
    ])
    func invalidRegistrationIs422NamingTheField(body: [String: String], field: String) async throws {
        try await withAuthService { client, _ in
            let response = try await client.json(.post, "/auth/register", body: body)
            #expect(response.status == .unprocessableContent)
            #expect(response.problemFields.contains(field))
        }
    }

    @Test func injectionStringsAreJustData() async throws {
        try await withAuthService { client, _ in
            let name = "Robert'); DROP TABLE users;-- <script>alert(1)</script>"
            try await client.register("bobby@example.com", name: name)
            let tokens = try await client.login("bobby@example.com")
            let me = try await client.json(.get, "/auth/me", token: tokens.access)
            #expect(me.object["name"] as? String == name)
            let wrongType = try await client.json(.post, "/auth/login", body: ["email": ["$ne": ""], "password": 1])
            #expect(wrongType.status == .unprocessableContent)
        }
    }

    @Test func loginAndMe() async throws {
        try await withAuthService { client, _ in
            let id = try await client.register("dan@example.com")
            let response = try await client.json(.post, "/auth/login", body: ["email": "dan@example.com", "password": "correct-horse-1"])
            #expect(response.status == .ok)
            #expect(response.object["token_type"] as? String == "Bearer")
            #expect((response.object["expires_in"] as? Int ?? 0) > 0)
            let me = try await client.json(.get, "/auth/me", token: response.object["access_token"] as? String)
            #expect(me.status == .ok)
            #expect(me.object["id"] as? String == id)
            #expect(me.object["email"] as? String == "dan@example.com")
        }
    }

    @Test func wrongPasswordAndUnknownEmailAre401() async throws {
        try await withAuthService { client, _ in
            try await client.register("eve@example.com")
            let wrong = try await client.json(.post, "/auth/login", body: ["email": "eve@example.com", "password": "wrong-password"])
            #expect(wrong.status == .unauthorized)
            let unknown = try await client.json(.post, "/auth/login", body: ["email": "nobody@example.com", "password": "wrong-password"])
            #expect(unknown.status == .unauthorized)
            #expect(wrong.object["detail"] as? String == unknown.object["detail"] as? String, "the answer does not reveal which accounts exist")
        }
    }

    @Test func meNeedsAValidToken() async throws {
        try await withAuthService { client, _ in
            #expect(try await client.json(.get, "/auth/me").status == .unauthorized)
            #expect(try await client.json(.get, "/auth/me", token: "garbage").status == .unauthorized)
            let malformed = try await client.execute(uri: "/auth/me", method: .get, headers: [.authorization: "Basic YWJjOmRlZg=="])
            #expect(malformed.status == .unauthorized)
        }
    }

    @Test func jwksPublishesTheKeyThatSignsTokens() async throws {
        try await withAuthService { client, _ in
            try await client.register("fay@example.com")
            let tokens = try await client.login("fay@example.com")
            let jwks = try await client.json(.get, "/auth/jwks.json")
            let key = try #require((jwks.object["keys"] as? [[String: Any]])?.first)
            #expect(key["kty"] as? String == "OKP" && key["crv"] as? String == "Ed25519" && key["alg"] as? String == "EdDSA")
            let header = try #require(Base64URL.decode(String(tokens.access.split(separator: ".")[0])))
            let kid = (try JSONSerialization.jsonObject(with: header) as? [String: Any])?["kid"] as? String
            #expect(kid == key["kid"] as? String)
        }
    }
}
