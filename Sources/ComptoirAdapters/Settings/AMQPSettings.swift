import AMQP
import ComptoirKit

/// The RabbitMQ cluster carrying events between services (`COMPTOIR_AMQP_URL`, a comma-separated
/// list of nodes) and the namespace of its exchanges and queues (`COMPTOIR_AMQP_NAMESPACE`).
public struct AMQPSettings: Sendable {
    public var client: AMQPConfiguration
    /// Put before every exchange and queue name, for platforms sharing a broker.
    public var namespace: String

    /// `nil` when `COMPTOIR_AMQP_URL` is unset: events go in-process.
    public init?(environment env: EnvironmentReader) throws {
        let namespace = env.string("COMPTOIR_AMQP_NAMESPACE") ?? ""
        guard namespace.count <= 40, namespace.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) else {
            throw ConfigurationError("COMPTOIR_AMQP_NAMESPACE", "must be at most 40 letters, digits, - or _ (got \"\(namespace)\")")
        }
        guard let url = env.string("COMPTOIR_AMQP_URL") else { return nil }
        do {
            client = try AMQPConfiguration(url: url)
        } catch {
            throw ConfigurationError(
                "COMPTOIR_AMQP_URL",
                "must look like amqp://user:password@host:5672/vhost, or a comma-separated list of nodes (got \"\(EnvironmentReader.redacted(url))\")"
            )
        }
        self.namespace = namespace
    }
}
