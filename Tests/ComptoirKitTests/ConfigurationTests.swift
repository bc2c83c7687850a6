import AMQP
import ComptoirContracts
import ComptoirKit
import Foundation
import Testing

/// A bad value stops start-up with an error naming the variable.
@Suite struct ConfigurationTests {
    func error(_ values: [String: String]) -> ConfigurationError? {
        do {
            _ = try ComptoirConfiguration(environment: EnvironmentReader(values))
            return nil
        } catch {
            return error as? ConfigurationError
        }
    }

    @Test(arguments: [
        ("COMPTOIR_BCRYPT_COST", "abc"), ("COMPTOIR_BCRYPT_COST", "40"), ("COMPTOIR_DATABASE_URL", "mysql://x"),
        ("COMPTOIR_AUTH_URL", "not a url"), ("COMPTOIR_LOG_LEVEL", "loud"),
        // Not finite, or beyond ten years: these once trapped converting to Int64, or later in arithmetic.
        ("COMPTOIR_DATABASE_TIMEOUT", "1e300s"), ("COMPTOIR_ACCESS_TOKEN_TTL", "-1e300"), ("COMPTOIR_REFRESH_TOKEN_TTL", "3651d"),
        ("COMPTOIR_CONTACT_RATE_LIMIT", "5/1e20d"),
    ])
    func badValueNamesTheVariable(variable: String, value: String) {
        let failure = error([variable: value])
        #expect(failure?.variable == variable)
        #expect(failure?.description.hasPrefix("configuration error: \(variable):") == true)
    }

    @Test func durationsAndLimitsUpToTheirBoundsAreAccepted() throws {
        let configuration = try ComptoirConfiguration(
            environment: EnvironmentReader([
                "COMPTOIR_REFRESH_TOKEN_TTL": "3650d", "COMPTOIR_CONTACT_RATE_LIMIT": "1000000000/250ms",
            ]),
            dataDirectory: "/tmp/x",
            basePort: 9000
        )
        #expect(configuration.refreshTokenLifetime == .seconds(3650 * 86400))
        #expect(configuration.contactRateLimit == .init(capacity: 1_000_000_000, period: .milliseconds(250)))
    }

    @Test func halfAPairNamesTheMissingHalf() {
        #expect(error(["COMPTOIR_ADMIN_EMAIL": "admin@example.com"])?.variable == "COMPTOIR_ADMIN_PASSWORD")
    }

    @Test func passwordInURLIsNotEchoed() {
        let failure = error(["COMPTOIR_DATABASE_URL": "mysql://user:s3cret@db"])
        #expect(failure?.description.contains("s3cret") == false)
    }

    @Test func defaultsFollowTheEmbeddedLayout() throws {
        let configuration = try ComptoirConfiguration(environment: EnvironmentReader([:]), dataDirectory: "/tmp/x", basePort: 9000)
        #expect(configuration.serviceURLs[.auth]?.absoluteString == "http://127.0.0.1:9001")
        #expect(configuration.serviceURLs[.questions]?.absoluteString == "http://127.0.0.1:9011")
        #expect(configuration.bcryptCost >= 10)
        #expect(configuration.maxBodySize == 1 << 20)
    }

    @Test func moneyRefusesMixedCurrenciesAndOverflow() throws {
        let euros = Money(amount: 1999, currency: .eur)
        #expect(try (euros + euros).amount == 3998)
        #expect(throws: MoneyError.self) { try euros + Money(amount: 1, currency: CurrencyCode("USD")!) }
        #expect(throws: MoneyError.overflow) { try Money(amount: .max, currency: .eur).times(2) }
        #expect(CurrencyCode("eur") == nil && CurrencyCode("EURO") == nil)
    }
}
