import ComptoirKit
import Gateway
import Testing

/// A bad gateway setting stops the gateway's start with an error naming the variable.
@Suite struct GatewayConfigurationTests {
    func error(_ values: [String: String]) -> ConfigurationError? {
        do {
            _ = try GatewayConfiguration(environment: EnvironmentReader(values))
            return nil
        } catch {
            return error as? ConfigurationError
        }
    }

    @Test(arguments: [
        ("COMPTOIR_UPSTREAM_TIMEOUT", "soon"), ("COMPTOIR_RATE_LIMIT_IP", "lots"), ("COMPTOIR_TLS_CERT_FILE", "/nonexistent.pem"),
        // Not finite, or beyond ten years: these once trapped converting to Int64, or later in arithmetic.
        ("COMPTOIR_UPSTREAM_TIMEOUT", "nan"), ("COMPTOIR_UPSTREAM_TIMEOUT", "inf"), ("COMPTOIR_CIRCUIT_COOLDOWN", "1e10"),
        ("COMPTOIR_RATE_LIMIT_IP", "9223372036854775807/1m"), ("COMPTOIR_RATE_LIMIT_USER", "5/nan"), ("COMPTOIR_TRUSTED_PROXIES", "10.0.0.0/33"),
        ("COMPTOIR_GATEWAY_MAX_BODY_SIZE", "1"),
    ])
    func badValueNamesTheVariable(variable: String, value: String) {
        var values = [variable: value]
        if variable == "COMPTOIR_TLS_CERT_FILE" { values["COMPTOIR_TLS_KEY_FILE"] = "/dev/null" }
        let failure = error(values)
        #expect(failure?.variable == variable)
        #expect(failure?.description.hasPrefix("configuration error: \(variable):") == true)
    }

    @Test func durationsAndLimitsUpToTheirBoundsAreAccepted() throws {
        let configuration = try GatewayConfiguration(
            environment: EnvironmentReader(["COMPTOIR_UPSTREAM_TIMEOUT": "1.5", "COMPTOIR_RATE_LIMIT_IP": "1000000000/250ms"])
        )
        #expect(configuration.upstreamTimeout == .milliseconds(1500))
        #expect(configuration.ipRateLimit == .init(capacity: 1_000_000_000, period: .milliseconds(250)))
    }

    @Test func halfAPairNamesTheMissingHalf() {
        #expect(error(["COMPTOIR_TLS_KEY_FILE": "/dev/null"])?.variable == "COMPTOIR_TLS_CERT_FILE")
    }

    @Test func defaults() throws {
        let configuration = try GatewayConfiguration(environment: EnvironmentReader([:]))
        #expect(configuration.ipRateLimit == .init(capacity: 600, period: .seconds(60)))
        #expect(configuration.maxRequestBodySize == 16 << 20)
    }
}
