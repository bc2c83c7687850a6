import AuthService
import ComptoirKit
import ComptoirTesting
import Foundation
import Hummingbird
import HummingbirdTesting

/// Runs `body` against a fresh auth service (its own SQLite file) through its HTTP router.
/// An administrator `admin@example.com` / `admin-password-1` exists from the start.
func withAuthService(_ body: @escaping @Sendable (any TestClientProtocol, ServiceEnvironment) async throws -> Void) async throws {
    try await TestPlatform.withService(
        AuthService.self,
        environment: ["COMPTOIR_ADMIN_EMAIL": "admin@example.com", "COMPTOIR_ADMIN_PASSWORD": "admin-password-1"],
        body
    )
}

extension TestClientProtocol {
    /// Registers a customer and returns their id.
    @discardableResult
    func register(_ email: String, password: String = "correct-horse-1", name: String = "Customer") async throws -> String {
        let response = try await json(.post, "/auth/register", body: ["email": email, "password": password, "name": name])
        guard response.status == .created, let id = response.object["id"] as? String else {
            throw TestFailure("registration of \(email) answered \(response.status): \(response.text)")
        }
        return id
    }

    /// Logs in and returns the token pair's JSON.
    func login(_ email: String, password: String = "correct-horse-1") async throws -> (access: String, refresh: String) {
        let response = try await json(.post, "/auth/login", body: ["email": email, "password": password])
        guard response.status == .ok, let access = response.object["access_token"] as? String,
            let refresh = response.object["refresh_token"] as? String
        else { throw TestFailure("login of \(email) answered \(response.status): \(response.text)") }
        return (access, refresh)
    }
}
