import AMQP
import ComptoirAdapters
import ComptoirKit
import Testing

/// The backends' settings: a bad one stops the start with an error naming the variable, and no password.
@Suite struct AdapterSettingsTests {
    @Test func rabbitMQNodesAreReadFromOneVariable() throws {
        let settings = try AdapterSettings(
            environment: EnvironmentReader([
                "COMPTOIR_AMQP_URL": "amqp://shop:s%40cret@rabbit-0:5673/prod,rabbit-1, rabbit-2:5674", "COMPTOIR_AMQP_NAMESPACE": "blue-2",
            ])
        )
        let amqp = try #require(settings.amqp)
        #expect(amqp.client.endpoints.map(\.description) == ["rabbit-0:5673", "rabbit-1:5672", "rabbit-2:5674"])
        #expect(amqp.client.user == "shop" && amqp.client.password == "s@cret" && amqp.client.virtualHost == "prod")
        #expect(amqp.namespace == "blue-2")
        #expect(try AdapterSettings(environment: EnvironmentReader([:])).amqp == nil)
    }

    @Test func aBadBackendSettingNamesItsVariableWithoutThePassword() {
        for (name, value) in [
            ("COMPTOIR_AMQP_URL", "http://shop:topsecret@rabbit-0"), ("COMPTOIR_AMQP_URL", "amqp://shop:topsecret@rabbit-0:5672, :99999"),
            ("COMPTOIR_AMQP_NAMESPACE", "has spaces"), ("COMPTOIR_REDIS_URL", "http://x:topsecret@redis"),
            ("COMPTOIR_SMTP_URL", "ftp://shop:topsecret@relay"),
        ] {
            do {
                _ = try AdapterSettings(environment: EnvironmentReader([name: value]))
                Issue.record("\(name)=\(value) was accepted")
            } catch {
                #expect("\(error)".contains(name))
                #expect(!"\(error)".contains("topsecret"), "\(error)")
            }
        }
    }

    @Test func anS3EndpointNeedsItsKeysAndAValidBucket() {
        #expect(throws: ConfigurationError.self) {
            try AdapterSettings(environment: EnvironmentReader(["COMPTOIR_S3_ENDPOINT": "http://minio:9000"]))
        }
        let bucket = [
            "COMPTOIR_S3_ENDPOINT": "http://minio:9000", "COMPTOIR_S3_ACCESS_KEY": "a", "COMPTOIR_S3_SECRET_KEY": "b",
            "COMPTOIR_S3_BUCKET": "No_Caps",
        ]
        #expect(throws: ConfigurationError.self) { try AdapterSettings(environment: EnvironmentReader(bucket)) }
    }
}
