import Foundation

/// One node of a cluster.
public struct AMQPEndpoint: Sendable, Hashable, CustomStringConvertible {
    public var host: String
    public var port: Int

    public init(host: String, port: Int = 5672) {
        self.host = host
        self.port = port
    }

    public var description: String { "\(host):\(port)" }
}

/// Where RabbitMQ is and how to talk to it.
public struct AMQPConfiguration: Sendable {
    /// The nodes of the cluster; connections go to one of them and move on when it fails.
    public var endpoints: [AMQPEndpoint]
    public var user: String
    public var password: String
    public var virtualHost: String
    /// Seconds between heartbeats (the lower of ours and the broker's); 0 turns them off.
    public var heartbeat: UInt16
    public var frameMax: UInt32
    public var connectTimeout: Duration
    /// How long a declaration, a confirm or any other reply may take.
    public var requestTimeout: Duration
    /// The first pause after a failed connection; it doubles up to ``maximumBackoff``.
    public var minimumBackoff: Duration
    public var maximumBackoff: Duration
    /// Shown in the management UI's connection list.
    public var connectionName: String

    public init(
        endpoints: [AMQPEndpoint] = [AMQPEndpoint(host: "127.0.0.1")],
        user: String = "guest",
        password: String = "guest",
        virtualHost: String = "/",
        heartbeat: UInt16 = 10,
        frameMax: UInt32 = 131_072,
        connectTimeout: Duration = .seconds(3),
        requestTimeout: Duration = .seconds(10),
        minimumBackoff: Duration = .milliseconds(100),
        maximumBackoff: Duration = .seconds(5),
        connectionName: String = "comptoir"
    ) {
        self.endpoints = endpoints
        self.user = user
        self.password = password
        self.virtualHost = virtualHost
        self.heartbeat = heartbeat
        self.frameMax = frameMax
        self.connectTimeout = connectTimeout
        self.requestTimeout = requestTimeout
        self.minimumBackoff = minimumBackoff
        self.maximumBackoff = maximumBackoff
        self.connectionName = connectionName
    }

    /// Reads `amqp://user:password@host:port/vhost`, or a comma-separated list of nodes:
    /// full URLs, or after the first URL bare `host:port` entries that share its login and
    /// virtual host (`amqp://app:secret@rabbit-0:5672/shop,rabbit-1:5672,rabbit-2:5672`).
    public init(url: String) throws {
        let entries = url.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard let first = entries.first, let components = URLComponents(string: first), components.scheme?.lowercased() == "amqp" else {
            throw AMQPError.invalidURL("expected amqp://user:password@host:port/vhost[,host:port…]")
        }
        self.init()
        user = components.user?.removingPercentEncoding ?? "guest"
        password = components.password?.removingPercentEncoding ?? "guest"
        let path = components.percentEncodedPath
        virtualHost = path.isEmpty || path == "/" ? "/" : String(path.dropFirst()).removingPercentEncoding ?? "/"
        endpoints = try entries.map { entry in
            let text = entry.contains("://") ? entry : "amqp://\(entry)"
            guard let parts = URLComponents(string: text), parts.scheme?.lowercased() == "amqp", let host = parts.host, !host.isEmpty else {
                throw AMQPError.invalidURL("cannot read the node \"\(entry)\"")
            }
            if let port = parts.port, !(1...65535).contains(port) { throw AMQPError.invalidURL("bad port \(port)") }
            return AMQPEndpoint(host: host, port: parts.port ?? 5672)
        }
    }
}
