import ComptoirContracts
import ComptoirKit
import ComptoirTesting
import FluentKit
import Foundation
import HTTPTypes
import HummingbirdTesting
import SQLKit
import Testing

/// Refresh rotation and reuse detection, logout, password change, login throttling.
@Suite struct SessionTests {
    @Test func refreshRotatesAndTheOldTokenStopsWorking() async throws {
        try await withAuthService { client, _ in
            try await client.register("gus@example.com")
            let first = try await client.login("gus@example.com")
            let rotated = try await client.json(.post, "/auth/refresh", body: ["refresh_token": first.refresh])
            #expect(rotated.status == .ok)
            let second = try #require(rotated.object["refresh_token"] as? String)
            #expect(second != first.refresh)
            #expect(try await client.json(.get, "/auth/me", token: rotated.object["access_token"] as? String).status == .ok)
            // Reusing the rotated token revokes the whole family: the newest token dies too.
            #expect(try await client.json(.post, "/auth/refresh", body: ["refresh_token": first.refresh]).status == .unauthorized)
            #expect(try await client.json(.post, "/auth/refresh", body: ["refresh_token": second]).status == .unauthorized)
        }
    }

    @Test func reuseIsAudited() async throws {
        try await withAuthService { client, _ in
            try await client.register("hal@example.com")
            let first = try await client.login("hal@example.com")
            try await client.json(.post, "/auth/refresh", body: ["refresh_token": first.refresh])
            try await client.json(.post, "/auth/refresh", body: ["refresh_token": first.refresh])
            let admin = try await client.login("admin@example.com", password: "admin-password-1")
            let audit = try await client.json(.get, "/auth/audit?action=token.reused", token: admin.access)
            #expect(audit.object["total"] as? Int == 1)
        }
    }

    @Test func unknownRefreshTokenIs401() async throws {
        try await withAuthService { client, _ in
            let unknown = try await client.json(.post, "/auth/refresh", body: ["refresh_token": "made-up"])
            #expect(unknown.status == .unauthorized)
            let wrongType = try await client.json(.post, "/auth/refresh", body: ["refresh_token": 42])
            #expect(wrongType.status == .unprocessableContent)
        }
    }

    @Test func logoutEndsTheSession() async throws {
        try await withAuthService { client, _ in
            try await client.register("ida@example.com")
            let tokens = try await client.login("ida@example.com")
            #expect(try await client.json(.post, "/auth/logout", body: ["refresh_token": tokens.refresh]).status == .unauthorized)
            #expect(try await client.json(.get, "/auth/me", token: tokens.access).status == .ok)
            #expect(try await client.json(.post, "/auth/logout", body: ["refresh_token": tokens.refresh], token: tokens.access).status == .noContent)
            #expect(try await client.json(.post, "/auth/refresh", body: ["refresh_token": tokens.refresh]).status == .unauthorized)
            // The access token is not expired, but its session has ended.
            let afterLogout = try await client.json(.get, "/auth/me", token: tokens.access)
            #expect(afterLogout.status == .unauthorized && (afterLogout.object["detail"] as? String ?? "").contains("session has ended"))
        }
    }

    @Test func passwordChangeRevokesTheOtherSessions() async throws {
        try await withAuthService { client, _ in
            try await client.register("jon@example.com")
            let laptop = try await client.login("jon@example.com")
            let phone = try await client.login("jon@example.com")
            let wrongCurrent = try await client.json(
                .post,
                "/auth/password",
                body: ["current_password": "not-my-password", "new_password": "brand-new-pass-1"],
                token: laptop.access
            )
            #expect(wrongCurrent.status == .unauthorized)
            let tooShort = try await client.json(
                .post,
                "/auth/password",
                body: ["current_password": "correct-horse-1", "new_password": "short"],
                token: laptop.access
            )
            #expect(tooShort.status == .unprocessableContent && tooShort.problemFields == ["new_password"])
            let changed = try await client.json(
                .post,
                "/auth/password",
                body: ["current_password": "correct-horse-1", "new_password": "brand-new-pass-1"],
                token: laptop.access
            )
            #expect(changed.status == .noContent)
            #expect(try await client.json(.post, "/auth/refresh", body: ["refresh_token": phone.refresh]).status == .unauthorized)
            #expect(try await client.json(.get, "/auth/me", token: phone.access).status == .unauthorized)
            #expect(try await client.json(.get, "/auth/me", token: laptop.access).status == .ok)
            #expect(try await client.json(.post, "/auth/refresh", body: ["refresh_token": laptop.refresh]).status == .ok)
            #expect(
                try await client.json(.post, "/auth/login", body: ["email": "jon@example.com", "password": "correct-horse-1"]).status == .unauthorized
            )
            _ = try await client.login("jon@example.com", password: "brand-new-pass-1")
        }
    }

    @Test func fiveFailuresFromOneAddressSlowThatAddressWith429AndRetryAfter() async throws {
        try await withAuthService { client, host in
            try await client.register("kim@example.com")
            let attacker: HTTPFields = [.xForwardedFor: "203.0.113.7"]
            for _ in 1...5 {
                let failure = try await client.json(
                    .post,
                    "/auth/login",
                    body: ["email": "kim@example.com", "password": "wrong-password"],
                    headers: attacker
                )
                #expect(failure.status == .unauthorized)
            }
            // From that address, even the right password waits: the guesser learns nothing.
            let slowed = try await client.json(
                .post,
                "/auth/login",
                body: ["email": "kim@example.com", "password": "correct-horse-1"],
                headers: attacker
            )
            #expect(slowed.status == .tooManyRequests)
            let retryAfter = try #require(slowed.headers[.retryAfter].flatMap(Int.init))
            #expect(retryAfter > 0 && retryAfter <= 30)
            let slowedEvents = try await OutboxMessage.query(on: host.database.fluent).filter(\.$type == UserLocked.type).count()
            #expect(slowedEvents == 1)
            // The owner, elsewhere, is not locked out by the stranger.
            let owner = try await client.json(
                .post,
                "/auth/login",
                body: ["email": "kim@example.com", "password": "correct-horse-1"],
                headers: [.xForwardedFor: "198.51.100.20"]
            )
            #expect(owner.status == .ok)
            // Another account is not affected.
            try await client.register("lee@example.com")
            _ = try await client.login("lee@example.com")
        }
    }

    @Test func eachFurtherFailureDoublesTheWait() async throws {
        try await withAuthService { client, host in
            try await client.register("kit@example.com")
            let attacker: HTTPFields = [.xForwardedFor: "203.0.113.8"]
            for _ in 1...5 {
                try await client.json(.post, "/auth/login", body: ["email": "kit@example.com", "password": "wrong-password"], headers: attacker)
            }
            // Let the first wait pass (age the failures by 31 s), fail once more: the wait doubles.
            try await host.database.sql.raw("UPDATE login_failures SET at = \(bind: Date().addingTimeInterval(-31))").run()
            let sixth = try await client.json(
                .post,
                "/auth/login",
                body: ["email": "kit@example.com", "password": "wrong-password"],
                headers: attacker
            )
            #expect(sixth.status == .unauthorized)
            let slowed = try await client.json(
                .post,
                "/auth/login",
                body: ["email": "kit@example.com", "password": "wrong-password"],
                headers: attacker
            )
            let retryAfter = try #require(slowed.headers[.retryAfter].flatMap(Int.init))
            #expect(slowed.status == .tooManyRequests && retryAfter > 30 && retryAfter <= 60)
        }
    }

    @Test func manyAddressesTogetherSlowTheAccountBySecondsOnly() async throws {
        try await withAuthService { client, _ in
            try await client.register("kai@example.com")
            for address in 1...20 {
                let failure = try await client.json(
                    .post,
                    "/auth/login",
                    body: ["email": "kai@example.com", "password": "wrong-password"],
                    headers: [.xForwardedFor: "203.0.113.\(address)"]
                )
                #expect(failure.status == .unauthorized)
            }
            // Twenty addresses, each under its own limit: now every address waits, but seconds, not the window.
            let owner = try await client.json(
                .post,
                "/auth/login",
                body: ["email": "kai@example.com", "password": "correct-horse-1"],
                headers: [.xForwardedFor: "198.51.100.30"]
            )
            let retryAfter = try #require(owner.headers[.retryAfter].flatMap(Int.init))
            #expect(owner.status == .tooManyRequests && retryAfter >= 1 && retryAfter <= 2)
        }
    }

    @Test func failuresOutsideTheWindowDoNotCount() async throws {
        try await withAuthService { client, host in
            try await client.register("max@example.com")
            for _ in 1...4 {
                try await client.json(.post, "/auth/login", body: ["email": "max@example.com", "password": "wrong-password"])
            }
            // Age the failures past the 15-minute window.
            try await host.database.sql.raw("UPDATE login_failures SET at = \(bind: Date().addingTimeInterval(-16 * 60))").run()
            try await client.json(.post, "/auth/login", body: ["email": "max@example.com", "password": "wrong-password"])
            _ = try await client.login("max@example.com")
        }
    }
}
