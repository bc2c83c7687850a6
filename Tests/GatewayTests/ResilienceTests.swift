import ComptoirContracts
import ComptoirKit
import ComptoirTesting
import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import NIOPosix
import Testing

/// The gateway when upstreams fail or clients push too hard: 502, 503, 504 and 429.
@Suite struct ResilienceTests {
    @Test func upstreamDownIs502ThenTheCircuitOpensWith503() async throws {
        try await withGateway(environment: ["COMPTOIR_CIRCUIT_FAILURES": "2", "COMPTOIR_CIRCUIT_COOLDOWN": "30s"], authUp: false) { client in
            let body: [String: Any] = ["email": "x@example.com", "password": "correct-horse-1"]
            let first = try await client.json(.post, "/api/v1/auth/login", body: body)
            #expect(first.status == .badGateway)
            #expect(first.headers[.contentType] == "application/problem+json")
            #expect(try await client.json(.post, "/api/v1/auth/login", body: body).status == .badGateway)
            let open = try await client.json(.post, "/api/v1/auth/login", body: body)
            #expect(open.status == .serviceUnavailable)
            #expect((open.headers[.retryAfter].flatMap(Int.init) ?? 0) > 0)
            #expect(try await client.execute(uri: "/health/ready", method: .get).status == .serviceUnavailable)
        }
    }

    /// A client that announces a body and goes away mid-way is no failure of the upstream's: once
    /// counted against the circuit, a few such requests closed it for every client.
    @Test func clientsThatStopMidBodyDoNotOpenTheCircuit() async throws {
        try await withGateway(environment: ["COMPTOIR_CIRCUIT_FAILURES": "2", "COMPTOIR_CIRCUIT_COOLDOWN": "30s"]) { client in
            let port = try #require(client.port)
            for _ in 1...3 {
                let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton).connect(host: "127.0.0.1", port: port).get()
                let head = "POST /api/v1/auth/register HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 4096\r\n\r\n"
                try await channel.writeAndFlush(ByteBuffer(string: head + #"{"email":"half"#)).get()
                try await Task.sleep(for: .milliseconds(300))
                try await channel.close().get()
                try await Task.sleep(for: .milliseconds(300))
            }
            #expect(try await client.execute(uri: "/api/v1/auth/jwks.json", method: .get).status == .ok)
            let body: [String: Any] = ["email": "whole@example.com", "password": "correct-horse-1", "name": "Whole"]
            #expect(try await client.json(.post, "/api/v1/auth/register", body: body).status == .created)
        }
    }

    @Test func slowUpstreamIs504() async throws {
        let router = Router()
        router.get("/questions") { _, _ -> String in
            try await Task.sleep(for: .seconds(3))
            return "too late"
        }
        try await Application(router: router).test(.live) { slow in
            let slowURL = URL(string: "http://127.0.0.1:\(slow.port!)")!
            try await withGateway(environment: ["COMPTOIR_UPSTREAM_TIMEOUT_QUESTIONS": "300ms"], extraUpstreams: [.questions: slowURL]) { client in
                // The upstream would answer 200 after 3 s: a 504 is the 300 ms timeout at work.
                let response = try await client.execute(uri: "/api/v1/questions", method: .get)
                #expect(response.status == .gatewayTimeout)
            }
        }
    }

    @Test func clientsOverTheirLimitGet429WithRetryAfter() async throws {
        try await withGateway(environment: ["COMPTOIR_RATE_LIMIT_IP": "3/1m"]) { client in
            for _ in 1...3 {
                #expect(try await client.execute(uri: "/api/v1/auth/jwks.json", method: .get).status == .ok)
            }
            let limited = try await client.execute(uri: "/api/v1/auth/jwks.json", method: .get)
            #expect(limited.status == .tooManyRequests)
            let retryAfter = try #require(limited.headers[.retryAfter].flatMap(Int.init))
            #expect(retryAfter >= 1 && retryAfter <= 20)
            // The storefront and health checks are not API calls and are not limited.
            #expect(try await client.execute(uri: "/health/live", method: .get).status == .ok)
        }
    }

    @Test func usersOverTheirLimitGet429() async throws {
        try await withGateway(environment: ["COMPTOIR_RATE_LIMIT_USER": "2/1m"]) { client in
            try await client.json(.post, "/api/v1/auth/register", body: ["email": "sam@example.com", "password": "correct-horse-1", "name": "Sam"])
            let login = try await client.json(.post, "/api/v1/auth/login", body: ["email": "sam@example.com", "password": "correct-horse-1"])
            let token = try #require(login.object["access_token"] as? String)
            #expect(try await client.json(.get, "/api/v1/auth/me", token: token).status == .ok)
            #expect(try await client.json(.get, "/api/v1/auth/me", token: token).status == .ok)
            #expect(try await client.json(.get, "/api/v1/auth/me", token: token).status == .tooManyRequests)
        }
    }
}
