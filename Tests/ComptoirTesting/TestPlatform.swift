import ComptoirAdapters
import ComptoirContracts
import ComptoirKit
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore

/// Test helpers: a platform over a fresh temporary data directory, and JSON requests.
public enum TestPlatform {
    /// A new empty folder under the system's temporary directory.
    public static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("comptoir-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// A configuration for tests: fast bcrypt, the given data folder and extra variables.
    public static func configuration(dataDirectory: URL, environment: [String: String] = [:]) throws -> ComptoirConfiguration {
        try ComptoirConfiguration(environment: EnvironmentReader(variables(environment)), dataDirectory: dataDirectory.path)
    }

    /// The variables of a test platform: fast bcrypt and, when the run names servers
    /// (`COMPTOIR_TEST_DATABASE_URL`, `COMPTOIR_TEST_REDIS_URL`; scripts/integration-test sets
    /// them), PostgreSQL databases and Redis keys of this platform's own, so that tests running
    /// in parallel never meet. Then `extra`, which wins.
    /// With `cluster`, a whole platform (not one service under test) also uses the run's
    /// RabbitMQ (`COMPTOIR_TEST_AMQP_URL`, in a namespace of its own), S3 server
    /// (`COMPTOIR_TEST_S3_*`, in a bucket of its own) and SMTP server (`COMPTOIR_TEST_SMTPS_URL`,
    /// with STARTTLS and a login, trusting `COMPTOIR_TEST_SMTP_CA_FILE`).
    public static func variables(_ extra: [String: String] = [:], cluster: Bool = false) -> [String: String] {
        var values = ["COMPTOIR_BCRYPT_COST": "4"]
        let run = ProcessInfo.processInfo.environment
        let namespace = "t" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(16).lowercased()
        if let url = run["COMPTOIR_TEST_DATABASE_URL"], !url.isEmpty {
            values["COMPTOIR_DATABASE_URL"] = url
            values["COMPTOIR_DATABASE_PREFIX"] = namespace
        }
        if cluster, let url = run["COMPTOIR_TEST_AMQP_URL"], !url.isEmpty {
            values["COMPTOIR_AMQP_URL"] = url
            values["COMPTOIR_AMQP_NAMESPACE"] = namespace
        }
        if cluster, let endpoint = run["COMPTOIR_TEST_S3_ENDPOINT"], !endpoint.isEmpty {
            values["COMPTOIR_S3_ENDPOINT"] = endpoint
            values["COMPTOIR_S3_BUCKET"] = namespace
            for name in ["ACCESS_KEY", "SECRET_KEY", "REGION"] { values["COMPTOIR_S3_\(name)"] = run["COMPTOIR_TEST_S3_\(name)"] }
        }
        if cluster, let url = run["COMPTOIR_TEST_SMTPS_URL"], !url.isEmpty {
            values["COMPTOIR_SMTP_URL"] = url + "?tls=required"
            values["COMPTOIR_SMTP_CA_FILE"] = run["COMPTOIR_TEST_SMTP_CA_FILE"]
        }
        if let url = run["COMPTOIR_TEST_REDIS_URL"], !url.isEmpty {
            values["COMPTOIR_REDIS_URL"] = url
            values["COMPTOIR_REDIS_PREFIX"] = namespace + ":"
        }
        values.merge(extra) { $1 }
        return values
    }

    /// The S3 server of this run (`COMPTOIR_TEST_S3_ENDPOINT`), if it names one.
    public static var s3Endpoint: String? { ProcessInfo.processInfo.environment["COMPTOIR_TEST_S3_ENDPOINT"].flatMap { $0.isEmpty ? nil : $0 } }

    /// The Redis server of this run (`COMPTOIR_TEST_REDIS_URL`), if it names one.
    public static var redisURL: String? { ProcessInfo.processInfo.environment["COMPTOIR_TEST_REDIS_URL"].flatMap { $0.isEmpty ? nil : $0 } }

    /// Resources for a process that hosts auth, with a quiet logger.
    public static func resources(dataDirectory: URL, environment: [String: String] = [:]) async throws -> PlatformResources {
        var logger = Logger(label: "test")
        logger.logLevel = ProcessInfo.processInfo.environment["COMPTOIR_TEST_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .critical
        return try await PlatformResources.configured(
            configuration(dataDirectory: dataDirectory, environment: environment),
            hostsAuth: true,
            logger: logger
        )
    }
}

extension TestClientProtocol {
    /// Sends `body` as JSON, with an optional bearer token and extra headers.
    @discardableResult
    public func json(
        _ method: HTTPRequest.Method,
        _ uri: String,
        body: [String: Any]? = nil,
        token: String? = nil,
        headers extra: HTTPFields = [:]
    ) async throws -> TestResponse {
        var headers = extra
        if let token { headers[.authorization] = "Bearer \(token)" }
        var buffer: ByteBuffer?
        if let body {
            headers[.contentType] = "application/json"
            buffer = ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: body))
        }
        return try await execute(uri: uri, method: method, headers: headers, body: buffer)
    }
}

extension TestResponse {
    /// The body as a JSON object (empty when it is not one).
    public var object: [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(body.readableBytesView))) as? [String: Any] ?? [:]
    }

    /// The body as text.
    public var text: String { String(buffer: body) }

    /// The field names of a problem's `errors`.
    public var problemFields: [String] {
        (object["errors"] as? [[String: Any]] ?? []).compactMap { $0["field"] as? String }
    }
}

extension TestPlatform {
    /// Runs `body` against a fresh `S` (its own SQLite file) through its HTTP router, then closes it.
    public static func withService<S: ComptoirService>(
        _ type: S.Type,
        environment variables: [String: String] = [:],
        loadDemoData: Bool = false,
        _ body: @escaping @Sendable (any TestClientProtocol, ServiceEnvironment) async throws -> Void
    ) async throws {
        let directory = try temporaryDirectory()
        let platform = try await resources(dataDirectory: directory, environment: variables)
        let host = try await ServiceHost.make(S.self, platform: platform, loadDemoData: loadDemoData)
        let environment = host.environment
        do {
            try await Application(router: host.router, logger: environment.logger).test(.router) { client in try await body(client, environment) }
        } catch {
            await environment.database.shutdown()
            await platform.shutdown()
            throw error
        }
        await environment.database.shutdown()
        await platform.shutdown()
        try? FileManager.default.removeItem(at: directory)
    }

    /// A valid access token signed with the platform's user key, as auth would issue it.
    public static func token(_ environment: ServiceEnvironment, roles: [Role] = [.customer], userId: UUID = UUID()) async throws -> String {
        let signer = await TokenSigner(key: environment.platform.userSigningKey!)
        return try await signer.sign(
            AccessTokenClaims(
                subject: userId.uuidString,
                roles: roles.map(\.rawValue),
                websiteId: nil,
                sessionId: UUID(),
                type: "access",
                lifetime: .seconds(300)
            )
        )
    }
}
