import ComptoirKit

/// The backends the environment names, each checked: a bad value stops the start with a
/// ``ConfigurationError`` naming its variable, before anything opens. A backend left unset is
/// replaced by its embedded stand-in (in-process bus, in-memory cache, files).
public struct AdapterSettings: Sendable {
    /// Redis for the cache, the shared rate limits and token revocation (`COMPTOIR_REDIS_URL`).
    public var redis: RedisSettings?
    /// Object storage on S3 or MinIO (`COMPTOIR_S3_ENDPOINT` and its companions).
    public var s3: S3Settings?
    /// Outgoing mail through SMTP (`COMPTOIR_SMTP_URL`).
    public var smtp: SMTPSettings?
    /// The RabbitMQ cluster (`COMPTOIR_AMQP_URL`).
    public var amqp: AMQPSettings?
    /// Traces over OTLP/HTTP (`COMPTOIR_OTLP_ENDPOINT`).
    public var tracing: TracingSettings?

    public init(environment env: EnvironmentReader) throws {
        redis = try RedisSettings(environment: env)
        s3 = try S3Settings(environment: env)
        smtp = try SMTPSettings(environment: env)
        amqp = try AMQPSettings(environment: env)
        tracing = try TracingSettings(environment: env)
    }
}
