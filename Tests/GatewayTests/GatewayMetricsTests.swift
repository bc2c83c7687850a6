import ComptoirKit
import ComptoirTesting
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// What the gateway's `/metrics` tells an operator: the SLI of each service as its clients saw it
/// (a service that is down counts, in 502s and 503s), routes named after their service, the
/// process and the build, and the series alerts read existing at 0 before anything fails.
struct GatewayMetricsTests {
    @Test func aServiceThatIsDownShowsInItsUpstreamSeries() async throws {
        try await withGateway(environment: ["COMPTOIR_CIRCUIT_FAILURES": "2", "COMPTOIR_CIRCUIT_COOLDOWN": "30s"], authUp: false) { client in
            let before = try await client.execute(uri: "/metrics", method: .get).text
            #expect(before.contains(#"gateway_upstream_errors_total{service="auth",kind="unreachable"} 0"#), "at 0 before any failure")
            #expect(before.contains(#"gateway_rate_limited_total{scope="ip"} 0"#))
            let body: [String: Any] = ["email": "x@example.com", "password": "correct-horse-1"]
            for _ in 0..<3 { _ = try await client.json(.post, "/api/v1/auth/login", body: body) }
            let metrics = try await client.execute(uri: "/metrics", method: .get).text
            #expect(metrics.contains(#"gateway_upstream_request_duration_seconds_count{service="auth",status="502"} 2"#), "\(metrics)")
            #expect(metrics.contains(#"gateway_upstream_request_duration_seconds_count{service="auth",status="503"} 1"#), "the open circuit")
            #expect(metrics.contains(#"route="/api/v1/auth/**",status="502""#), "the proxy's route names its service")
            #expect(metrics.contains(#"le="0.5""#), "500 ms is a bucket edge")
            for name in ["process_cpu_seconds_total", "process_resident_memory_bytes", "process_open_fds", "http_server_active_requests"] {
                #expect(metrics.contains("\n\(name) "), "\(name)")
            }
            #expect(metrics.contains(#"comptoir_build_info{version="dev",revision="unknown"} 1"#))
        }
    }
}
