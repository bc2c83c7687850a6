import ComptoirKit
import ComptoirTesting
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

/// bcrypt reads at most 72 bytes of a C string. A longer presented password is refused before it
/// is hashed (no account has one), and a new password may not hide a NUL, after which bcrypt
/// would ignore the rest.
@Suite struct PasswordLimitTests {
    /// Just under the 1 MiB limit of a JSON body.
    static let huge = String(repeating: "p", count: 1_000_000)

    @Test func anOverlongPasswordAtLoginIs422AndCountsNoFailure() async throws {
        try await withAuthService { client, _ in
            let password = String(repeating: "s", count: 72)
            try await client.register("long@example.com", password: password)
            // Without the check bcrypt would hash only the first 72 bytes, and this would log in.
            for presented in [password + "anything", Self.huge, Self.huge, Self.huge, Self.huge, Self.huge] {
                let response = try await client.json(.post, "/auth/login", body: ["email": "long@example.com", "password": presented])
                #expect(response.status == .unprocessableContent && response.problemFields == ["password"])
            }
            // None of them counted towards the lockout.
            _ = try await client.login("long@example.com", password: password)
        }
    }

    @Test func anOverlongCurrentPasswordIs422() async throws {
        try await withAuthService { client, _ in
            try await client.register("change@example.com")
            let tokens = try await client.login("change@example.com")
            let response = try await client.json(
                .post,
                "/auth/password",
                body: ["current_password": Self.huge, "new_password": "another-horse-2"],
                token: tokens.access
            )
            #expect(response.status == .unprocessableContent && response.problemFields == ["current_password"])
            #expect(try await client.json(.get, "/auth/me", token: tokens.access).status == .ok)
        }
    }

    @Test func aNewPasswordWithANulIs422() async throws {
        try await withAuthService { client, _ in
            let response = try await client.json(
                .post,
                "/auth/register",
                body: ["email": "nul@example.com", "password": "\u{0}correct-horse-1", "name": "Nul"]
            )
            #expect(response.status == .unprocessableContent && response.problemFields == ["password"])
        }
    }
}
