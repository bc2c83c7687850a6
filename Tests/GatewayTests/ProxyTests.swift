import ComptoirKit
import ComptoirTesting
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// The gateway in front of a real auth service: routing, token checks, headers, documents.
@Suite struct ProxyTests {
    @Test func authRoutesWorkThroughTheGateway() async throws {
        try await withGateway { client in
            let registered = try await client.json(
                .post,
                "/api/v1/auth/register",
                body: ["email": "ray@example.com", "password": "correct-horse-1", "name": "Ray"]
            )
            #expect(registered.status == .created)
            let login = try await client.json(.post, "/api/v1/auth/login", body: ["email": "ray@example.com", "password": "correct-horse-1"])
            let token = try #require(login.object["access_token"] as? String)
            let me = try await client.json(.get, "/api/v1/auth/me", token: token)
            #expect(me.status == .ok && me.object["email"] as? String == "ray@example.com")
            let jwks = try await client.json(.get, "/api/v1/auth/jwks.json")
            #expect((jwks.object["keys"] as? [Any])?.count == 1)
        }
    }

    @Test func requestIDIsPassedThroughAndSecurityHeadersAdded() async throws {
        try await withGateway { client in
            let response = try await client.execute(
                uri: "/api/v1/auth/jwks.json",
                method: .get,
                headers: [RequestIDMiddleware.headerName: "trace-me-42"]
            )
            #expect(response.headers[RequestIDMiddleware.headerName] == "trace-me-42")
            #expect(response.headers[.xContentTypeOptions] == "nosniff")
            #expect(response.headers[.contentSecurityPolicy]?.contains("default-src 'self'") == true)
        }
    }

    @Test func protectedRoutesNeedAValidTokenAtTheGateway() async throws {
        // Auth is down: a 401 proves the gateway itself refused, without asking the service.
        try await withGateway(authUp: false) { client in
            #expect(try await client.json(.get, "/api/v1/auth/me").status == .unauthorized)
            #expect(try await client.json(.get, "/api/v1/auth/users", token: "forged.token.here").status == .unauthorized)
            let expired = try await client.json(.get, "/api/v1/auth/me", token: "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.")
            #expect(expired.status == .unauthorized)
            #expect(expired.headers[.contentType] == "application/problem+json")
        }
    }

    @Test func unknownRoutesAndMissingServicesAre404() async throws {
        try await withGateway { client in
            let nowhere = try await client.execute(uri: "/api/v1/nowhere", method: .get)
            #expect(nowhere.status == .notFound && nowhere.headers[.contentType] == "application/problem+json")
            #expect(try await client.execute(uri: "/api/v1/categories", method: .get).status == .notFound)
            // An unknown route under a service: anonymous callers learn nothing (401), users get 404.
            #expect(try await client.execute(uri: "/api/v1/auth/nope", method: .get).status == .unauthorized)
            try await client.json(.post, "/api/v1/auth/register", body: ["email": "una@example.com", "password": "correct-horse-1", "name": "Una"])
            let login = try await client.json(.post, "/api/v1/auth/login", body: ["email": "una@example.com", "password": "correct-horse-1"])
            let unknown = try await client.json(.get, "/api/v1/auth/nope", token: login.object["access_token"] as? String)
            #expect(unknown.status == .notFound && unknown.headers[.contentType] == "application/problem+json")
            #expect(try await client.execute(uri: "/nope.html", method: .get).status == .notFound)
        }
    }

    @Test func bodyLimitIsEnforcedThroughTheGateway() async throws {
        try await withGateway { client in
            let huge = ByteBuffer(string: #"{"email":""# + String(repeating: "a", count: 2 << 20) + #""}"#)
            let response = try await client.execute(
                uri: "/api/v1/auth/register",
                method: .post,
                headers: [.contentType: "application/json"],
                body: huge
            )
            #expect(response.status == .contentTooLarge)
        }
    }

    @Test func mergedOpenAPIDocumentHasEveryServicePath() async throws {
        try await withGateway { client in
            let response = try await client.execute(uri: "/api/v1/openapi.json", method: .get)
            #expect(response.status == .ok)
            #expect(response.object["openapi"] as? String == "3.1.0")
            let paths = try #require(response.object["paths"] as? [String: Any])
            #expect(paths["/api/v1/auth/login"] != nil)
            #expect(paths["/api/v1/auth/users/{id}/roles"] != nil)
        }
    }

    @Test func storefrontHealthAndMetricsAreServed() async throws {
        try await withGateway { client in
            let page = try await client.execute(uri: "/", method: .get)
            #expect(page.status == .ok && page.headers[.contentType]?.hasPrefix("text/html") == true)
            #expect(try await client.execute(uri: "/health/live", method: .get).status == .ok)
            // Readiness asks auth, whose own checks have 2 s each: on a loaded machine one may miss its
            // turn, as a kubelet's probe would; ready means ready within a few probes.
            var ready = try await client.execute(uri: "/health/ready", method: .get)
            for _ in 0..<5 where ready.status != .ok {
                try await Task.sleep(for: .seconds(1))
                ready = try await client.execute(uri: "/health/ready", method: .get)
            }
            #expect(ready.status == .ok, "\(ready.text)")
            let metrics = try await client.execute(uri: "/metrics", method: .get)
            #expect(metrics.text.contains("http_server_request_duration_seconds_count"))
        }
    }

    @Test func corsAllowsOnlyConfiguredOrigins() async throws {
        try await withGateway(environment: ["COMPTOIR_CORS_ORIGINS": "https://shop.example"]) { client in
            let preflight = try await client.execute(
                uri: "/api/v1/auth/login",
                method: .options,
                headers: [.origin: "https://shop.example", .accessControlRequestMethod: "POST"]
            )
            #expect(preflight.status == .noContent)
            #expect(preflight.headers[.accessControlAllowOrigin] == "https://shop.example")
            let stranger = try await client.execute(uri: "/api/v1/auth/jwks.json", method: .get, headers: [.origin: "https://evil.example"])
            #expect(stranger.headers[.accessControlAllowOrigin] == nil)
        }
    }
}
