import ComptoirKit
import Gateway
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// `COMPTOIR_TRUSTED_PROXIES` takes addresses and CIDR ranges: behind an ingress controller whose
/// pods have no fixed address, the per-IP limit still counts each client, not the controller.
@Suite struct TrustedProxiesTests {
    @Test func rangesAndAddressesMatchAsWritten() throws {
        let proxies = try TrustedProxies(["10.244.0.0/16", "192.168.1.7", "fd00::/8", "0.0.0.0/0"].dropLast())
        #expect(proxies.contains("10.244.3.9"))
        #expect(!proxies.contains("10.245.0.1"))
        #expect(proxies.contains("192.168.1.7"))
        #expect(!proxies.contains("192.168.1.8"))
        #expect(proxies.contains("fd12:3456::1"))
        #expect(!proxies.contains("fe80::1"))
        #expect(!proxies.contains("not an address"))
        #expect(!proxies.contains("::ffff:10.244.0.1"), "an IPv4-mapped IPv6 address is not the IPv4 range")
        #expect(try TrustedProxies(["0.0.0.0/0"]).contains("203.0.113.9"))
        #expect(!TrustedProxies().contains("127.0.0.1"))
    }

    @Test(arguments: ["10.0.0.0/33", "10.0.0.0/-1", "10.0.0.0/", "10.0.0/8", "fd00::/129", "proxy.example", "10.0.0.1/8/8"])
    func aBadEntryStopsTheStartNamingTheVariable(entry: String) {
        #expect(throws: ConfigurationError.self) { try TrustedProxies([entry]) }
    }

    @Test func clientsBehindATrustedRangeHaveTheirOwnLimit() async throws {
        try await withGateway(environment: ["COMPTOIR_RATE_LIMIT_IP": "2/1m", "COMPTOIR_TRUSTED_PROXIES": "127.0.0.0/8"]) { client in
            let statuses = try await Self.statuses(client, from: ["203.0.113.1", "203.0.113.1", "203.0.113.1", "203.0.113.2"])
            #expect(statuses == [.ok, .ok, .tooManyRequests, .ok], "another client behind the same proxy has its own bucket")
        }
    }

    static func statuses(_ client: some TestClientProtocol, from ips: [String]) async throws -> [HTTPResponse.Status] {
        var statuses: [HTTPResponse.Status] = []
        for ip in ips {
            statuses.append(try await client.execute(uri: "/api/v1/auth/jwks.json", method: .get, headers: [.xForwardedFor: ip]).status)
        }
        return statuses
    }
}
