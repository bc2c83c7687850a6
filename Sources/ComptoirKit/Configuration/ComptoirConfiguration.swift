import ComptoirContracts
import Foundation
import Logging

/// Everything a Comptoir process is configured with, read once at start and checked:
/// a bad value stops the process with one ``ConfigurationError`` naming the variable.
///
/// Every value is optional in embedded mode; `docs/configuration.md` lists them all.
public struct ComptoirConfiguration: Sendable {
    /// Where SQLite files, keys, blobs and mail go in embedded mode (`COMPTOIR_DATA_DIR`).
    public var dataDirectory: URL
    /// PostgreSQL server shared by the services, each in its own database (`COMPTOIR_DATABASE_URL`).
    public var databaseURL: URL?
    /// A service's own server, over ``databaseURL`` (`COMPTOIR_<ID>_DATABASE_URL`): for a process
    /// that reaches every service's database, such as `comptoir backup` where each service has its own server.
    public var serviceDatabaseURLs: [ServiceID: URL]
    /// The first part of each service's database name, `<prefix>_<service>` (`COMPTOIR_DATABASE_PREFIX`),
    /// so that two platforms (staging and production, or parallel tests) can share one server.
    public var databasePrefix: String
    /// Connections per event loop in each service's pool (`COMPTOIR_DATABASE_POOL_SIZE`).
    public var databasePoolSize: Int
    /// How long a request waits for a pooled connection (`COMPTOIR_DATABASE_TIMEOUT`).
    public var databaseTimeout: Duration
    /// Whether services cache reads (`COMPTOIR_CACHE`, on by default; `off` for benchmarks and debugging).
    public var cacheEnabled: Bool
    /// Where each service is reached (`COMPTOIR_<ID>_URL`).
    public var serviceURLs: [ServiceID: URL]
    /// Auth's signing key, PEM or base64url seed (`COMPTOIR_JWT_PRIVATE_KEY`).
    public var jwtPrivateKey: String?
    /// Verification keys as a JWKS document (`COMPTOIR_JWT_PUBLIC_KEYS`); otherwise auth's JWKS route.
    public var jwtPublicKeys: String?
    /// The key that signs and verifies internal service tokens (`COMPTOIR_SERVICE_KEY`).
    public var serviceKey: String?
    public var accessTokenLifetime: Duration
    public var refreshTokenLifetime: Duration
    public var bcryptCost: Int
    public var adminEmail: String?
    public var adminPassword: String?
    /// Largest JSON body accepted by default (`COMPTOIR_MAX_BODY_SIZE`, bytes).
    public var maxBodySize: Int
    /// The sender of every mail (`COMPTOIR_MAIL_FROM`).
    public var mailFrom: String
    /// Where mails to the support team go (`COMPTOIR_SUPPORT_EMAIL`).
    public var supportEmail: String
    /// The address the public reaches the platform at, for links in mails (`COMPTOIR_PUBLIC_URL`).
    public var publicURL: URL
    /// The key that signs links in mails (`COMPTOIR_LINK_KEY`); otherwise generated into the data directory.
    public var linkKey: String?
    /// Campaign mails queued per batch (`COMPTOIR_CAMPAIGN_BATCH_SIZE`).
    public var campaignBatchSize: Int
    /// The pause between two campaign batches, to respect a mail provider's rate (`COMPTOIR_CAMPAIGN_BATCH_PAUSE`).
    public var campaignBatchPause: Duration
    /// The team address of each contact-form topic (`COMPTOIR_CONTACT_ROUTES`, `topic=address,…`).
    public var contactRoutes: [String: String]
    /// Contact-form messages one client IP may send (`COMPTOIR_CONTACT_RATE_LIMIT`).
    public var contactRateLimit: RateLimit
    /// Seams for crash tests only (`COMPTOIR_HOLD_EVENTS`, `COMPTOIR_CRASH_AFTER_PUBLISH`).
    public var faults: FaultInjection
    public var logLevel: Logger.Level
    public var logFormat: LogFormat
    /// What `comptoir_build_info` reports: the image sets `COMPTOIR_VERSION` and `COMPTOIR_REVISION`.
    public var build: BuildInfo
    /// The variables this configuration was read from, for components that read settings of their
    /// own (the gateway's `GatewayConfiguration`).
    public let environment: EnvironmentReader

    public enum LogFormat: String, Sendable { case json, text }

    /// Reads the configuration from the environment.
    /// - Parameters:
    ///   - environment: the variables to read (the process environment by default)
    ///   - dataDirectory: the `--data-dir` flag, which wins over `COMPTOIR_DATA_DIR`
    ///   - basePort: the gateway port; services default to `basePort + offset` on 127.0.0.1
    public init(environment: EnvironmentReader = .init(), dataDirectory: String? = nil, basePort: Int = 8080) throws {
        let env = environment
        // The services' default ports follow the gateway's: all of them must be TCP ports.
        let highestBasePort = 65_535 - ServiceID.allCases.count
        guard (1...highestBasePort).contains(basePort) else {
            throw ConfigurationError("--port", "must be between 1 and \(highestBasePort), the services taking the next ports (got \(basePort))")
        }
        let dataPath = dataDirectory ?? env.string("COMPTOIR_DATA_DIR") ?? "./data"
        self.dataDirectory = URL(fileURLWithPath: dataPath, isDirectory: true).standardizedFileURL
        self.databaseURL = try env.url("COMPTOIR_DATABASE_URL", schemes: ["postgres", "postgresql"])
        var databaseURLs: [ServiceID: URL] = [:]
        for service in ServiceID.allCases {
            databaseURLs[service] = try env.url("COMPTOIR_\(service.environmentName)_DATABASE_URL", schemes: ["postgres", "postgresql"])
        }
        self.serviceDatabaseURLs = databaseURLs
        self.databasePrefix = env.string("COMPTOIR_DATABASE_PREFIX") ?? "comptoir"
        guard databasePrefix.count <= 40, databasePrefix.first?.isLetter == true,
            databasePrefix.allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "_") })
        else {
            throw ConfigurationError(
                "COMPTOIR_DATABASE_PREFIX",
                "must be 1 to 40 lower-case letters, digits or _, starting with a letter (got \"\(databasePrefix)\")"
            )
        }
        self.databasePoolSize = try env.int("COMPTOIR_DATABASE_POOL_SIZE", default: 4, in: 1...256)
        self.databaseTimeout = try env.duration("COMPTOIR_DATABASE_TIMEOUT", default: .seconds(10))
        self.cacheEnabled = try env.bool("COMPTOIR_CACHE", default: true)
        var urls: [ServiceID: URL] = [:]
        for service in ServiceID.allCases {
            let name = "COMPTOIR_\(service.environmentName)_URL"
            urls[service] =
                try env.url(name, schemes: ["http", "https"])
                ?? URL(string: "http://127.0.0.1:\(basePort + service.portOffset)")!  // trap-checked: an IPv4 literal and a port checked above
        }
        self.serviceURLs = urls
        self.jwtPrivateKey = env.string("COMPTOIR_JWT_PRIVATE_KEY")
        self.jwtPublicKeys = env.string("COMPTOIR_JWT_PUBLIC_KEYS")
        self.serviceKey = env.string("COMPTOIR_SERVICE_KEY")
        self.accessTokenLifetime = try env.duration("COMPTOIR_ACCESS_TOKEN_TTL", default: .seconds(900))
        self.refreshTokenLifetime = try env.duration("COMPTOIR_REFRESH_TOKEN_TTL", default: .seconds(30 * 86400))
        self.bcryptCost = try env.int("COMPTOIR_BCRYPT_COST", default: 11, in: 4...31)
        self.adminEmail = env.string("COMPTOIR_ADMIN_EMAIL")
        self.adminPassword = env.string("COMPTOIR_ADMIN_PASSWORD")
        if (adminEmail == nil) != (adminPassword == nil) {
            throw ConfigurationError(
                adminEmail == nil ? "COMPTOIR_ADMIN_EMAIL" : "COMPTOIR_ADMIN_PASSWORD",
                "COMPTOIR_ADMIN_EMAIL and COMPTOIR_ADMIN_PASSWORD must be set together"
            )
        }
        self.maxBodySize = try env.int("COMPTOIR_MAX_BODY_SIZE", default: 1 << 20, in: 1024...(1 << 30))
        self.mailFrom = env.string("COMPTOIR_MAIL_FROM") ?? "Comptoir <no-reply@comptoir.localhost>"
        self.supportEmail = env.string("COMPTOIR_SUPPORT_EMAIL") ?? "support@comptoir.localhost"
        for (name, value) in [("COMPTOIR_MAIL_FROM", mailFrom), ("COMPTOIR_SUPPORT_EMAIL", supportEmail)] {
            let address = value.split(separator: "<").last.map { $0.trimmingCharacters(in: CharacterSet(charactersIn: "> ")) } ?? value
            guard Validator.isEmail(address), !value.contains(where: \.isNewline) else {
                throw ConfigurationError(name, "must be an e-mail address, optionally with a name: Shop <shop@example.com> (got \"\(value)\")")
            }
        }
        let defaultPublicURL = URL(string: "http://localhost:\(basePort)")!  // trap-checked: a host literal and a port checked above
        self.publicURL = try env.url("COMPTOIR_PUBLIC_URL", schemes: ["http", "https"]) ?? defaultPublicURL
        self.linkKey = env.string("COMPTOIR_LINK_KEY")
        self.campaignBatchSize = try env.int("COMPTOIR_CAMPAIGN_BATCH_SIZE", default: 100, in: 1...10_000)
        self.campaignBatchPause = try env.duration("COMPTOIR_CAMPAIGN_BATCH_PAUSE", default: .zero)
        var routes = [
            "sales": "sales@comptoir.localhost", "support": supportEmail, "press": "press@comptoir.localhost", "other": "hello@comptoir.localhost",
        ]
        for entry in env.list("COMPTOIR_CONTACT_ROUTES") {
            let parts = entry.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2, routes[parts[0]] != nil, Validator.isEmail(parts[1]) else {
                throw ConfigurationError(
                    "COMPTOIR_CONTACT_ROUTES",
                    "must look like sales=sales@shop.example,support=help@shop.example (topics: sales, support, press, other; got \"\(entry)\")"
                )
            }
            routes[parts[0]] = parts[1]
        }
        self.contactRoutes = routes
        self.contactRateLimit =
            try env.string("COMPTOIR_CONTACT_RATE_LIMIT").map { try .parse($0, variable: "COMPTOIR_CONTACT_RATE_LIMIT") }
            ?? RateLimit(capacity: 5, period: .seconds(600))
        self.faults = FaultInjection(environment: env)
        let level = env.string("COMPTOIR_LOG_LEVEL")?.lowercased() ?? "info"
        guard let logLevel = Logger.Level(rawValue: level) else {
            throw ConfigurationError("COMPTOIR_LOG_LEVEL", "must be one of trace, debug, info, notice, warning, error, critical (got \"\(level)\")")
        }
        self.logLevel = logLevel
        let format = env.string("COMPTOIR_LOG_FORMAT")?.lowercased() ?? "json"
        guard let logFormat = LogFormat(rawValue: format) else {
            throw ConfigurationError("COMPTOIR_LOG_FORMAT", "must be json or text (got \"\(format)\")")
        }
        self.logFormat = logFormat
        self.build = BuildInfo(version: env.string("COMPTOIR_VERSION") ?? "dev", revision: env.string("COMPTOIR_REVISION") ?? "unknown")
        self.environment = env
    }

    /// The PostgreSQL database of a service.
    /// The PostgreSQL server of `service`, or `nil` for its SQLite file.
    public func databaseURL(for service: ServiceID) -> URL? { serviceDatabaseURLs[service] ?? databaseURL }

    public func databaseName(for service: ServiceID) -> String { service.databaseName(prefix: databasePrefix) }

    /// The SQLite file of a service in embedded mode.
    public func sqliteFile(for service: ServiceID) -> URL {
        dataDirectory.appendingPathComponent("\(service.rawValue).sqlite")
    }
}
