import Foundation
import NIOHTTP1
import Testing

/// In one process the gateway hands requests to the services' routers, without an HTTP hop; what
/// the proxy promised still holds there.
@Suite("In-process upstreams, end to end") struct InProcessUpstreamTests {
    @Test("an upstream's timeout is still a 504 problem in one process, and the other services still answer")
    func timeoutsHoldInProcess() async throws {
        try await RunningPlatform.run(environment: ["COMPTOIR_UPSTREAM_TIMEOUT_QUESTIONS": "1ms"]) { platform in
            var statuses: [Int] = []
            for _ in 0..<20 { statuses.append(try await platform.send(.GET, "/api/v1/questions?q=track").status) }
            #expect(statuses.contains(504), "statuses: \(statuses)")
            #expect(statuses.allSatisfy { $0 == 504 || $0 == 200 }, "statuses: \(statuses)")
            let timedOut = try await platform.send(.GET, "/api/v1/questions?q=track&per_page=100")
            if timedOut.status == 504 {
                #expect(timedOut.object["title"] as? String == "Gateway Timeout")
            }
            #expect(try await platform.send(.GET, "/api/v1/products?per_page=1").status == 200)
        }
    }
}
