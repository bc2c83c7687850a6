import Foundation

/// Where Redis is and how to talk to it.
public struct RedisConfiguration: Sendable {
    public var host: String
    public var port: Int
    /// The ACL user; `default` when only a password is given.
    public var username: String?
    public var password: String?
    /// The logical database chosen with SELECT.
    public var database: Int
    /// Connections kept open; each one carries many pipelined commands at once.
    public var poolSize: Int
    public var connectTimeout: Duration
    /// How long a command waits for its reply.
    public var commandTimeout: Duration
    /// The first pause after a failed connection attempt; it doubles up to ``maximumBackoff``.
    public var minimumBackoff: Duration
    public var maximumBackoff: Duration

    public init(
        host: String = "127.0.0.1",
        port: Int = 6379,
        username: String? = nil,
        password: String? = nil,
        database: Int = 0,
        poolSize: Int = 4,
        connectTimeout: Duration = .seconds(2),
        commandTimeout: Duration = .seconds(2),
        minimumBackoff: Duration = .milliseconds(100),
        maximumBackoff: Duration = .seconds(5)
    ) {
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.database = database
        self.poolSize = poolSize
        self.connectTimeout = connectTimeout
        self.commandTimeout = commandTimeout
        self.minimumBackoff = minimumBackoff
        self.maximumBackoff = maximumBackoff
    }

    /// Reads `redis://[[user]:password@]host[:port][/database]`.
    public init(url: String) throws {
        guard let components = URLComponents(string: url), components.scheme?.lowercased() == "redis" else {
            throw RedisError.invalidURL("expected redis://[[user]:password@]host[:port][/database]")
        }
        guard let host = components.host, !host.isEmpty else { throw RedisError.invalidURL("no host") }
        let path = components.path.trimmingCharacters(in: CharacterSet(charactersIn: "/"))
        guard path.isEmpty || (Int(path).map { (0...15).contains($0) } ?? false) else {
            throw RedisError.invalidURL("the path must be a database number from 0 to 15 (got \"\(path)\")")
        }
        if let port = components.port, !(1...65535).contains(port) { throw RedisError.invalidURL("bad port \(port)") }
        self.init(
            host: host,
            port: components.port ?? 6379,
            username: components.user.flatMap { $0.isEmpty ? nil : $0.removingPercentEncoding },
            password: components.password.flatMap { $0.isEmpty ? nil : $0.removingPercentEncoding },
            database: Int(path) ?? 0
        )
    }
}
