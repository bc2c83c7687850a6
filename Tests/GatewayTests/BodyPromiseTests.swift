import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

/// Bodies that promise more than they send: the gateway answers for the client's fault at once
/// (413 for a length no route takes) or when its wait is over (408), and a service's circuit
/// stays closed, since no service failed.
@Suite struct BodyPromiseTests {
    static func head(_ extra: String) -> String {
        "POST /api/v1/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n\(extra)\r\n"
    }

    @Test(arguments: ["9223372036854775807", "9223372036854775808", "16777217"])
    func aLengthNoRouteTakesIs413AtOnce(length: String) async throws {
        try await withGateway(environment: ["COMPTOIR_UPSTREAM_TIMEOUT": "20s"]) { client in
            let started = ContinuousClock.now
            let answer = try await RawHTTPExchange.send(port: client.port!, head: Self.head("Content-Length: \(length)\r\n") + "{}")
            #expect(answer.hasPrefix("HTTP/1.1 413"), "answer: \(answer.prefix(300))")
            #expect(ContinuousClock.now - started < .seconds(10))
        }
    }

    @Test func aLengthThatIsNotANumberIs400() async throws {
        try await withGateway { client in
            let answer = try await RawHTTPExchange.send(port: client.port!, head: Self.head("Content-Length: 12abc\r\n") + "{}")
            #expect(answer.hasPrefix("HTTP/1.1 400"), "answer: \(answer.prefix(300))")
        }
    }

    @Test func aBodyThatStopsArrivingIs408AndLeavesTheCircuitClosed() async throws {
        try await withGateway(environment: ["COMPTOIR_UPSTREAM_TIMEOUT": "1s", "COMPTOIR_CIRCUIT_FAILURES": "2"]) { client in
            for _ in 0..<3 {
                // A chunk of 2^64-1 bytes announced, two sent.
                let answer = try await RawHTTPExchange.send(
                    port: client.port!,
                    head: Self.head("Transfer-Encoding: chunked\r\n") + "ffffffffffffffff\r\n{}\r\n0\r\n\r\n"
                )
                #expect(answer.hasPrefix("HTTP/1.1 408"), "answer: \(answer.prefix(300))")
                #expect(answer.contains("application/problem+json"))
            }
            // A cheap route of the same service: a login's bcrypt can outlast the 1 s timeout on a
            // loaded machine, and a 504 would say nothing about the circuit. Open, it would be 503.
            let keys = try await client.execute(uri: "/api/v1/auth/jwks.json", method: .get)
            #expect(keys.status == .ok, "the auth service's circuit is still closed")
        }
    }
}
