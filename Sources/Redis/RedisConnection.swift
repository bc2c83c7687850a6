import Logging
import NIOCore
import NIOPosix
import Synchronization

/// One connection to Redis, shared by concurrent callers: their commands are pipelined and
/// the replies matched in order by ``RedisCommandHandler``.
final class RedisConnection: Sendable {
    private let channel: any Channel
    /// The protocol the handshake settled on: 3 when the server speaks RESP3, else 2.
    let protocolVersion: Int
    /// Set the moment a command times out: the socket closes a little later, and the pool must
    /// not hand the connection out in between.
    private let broken = Atomic<Bool>(false)

    private init(channel: any Channel, protocolVersion: Int) {
        self.channel = channel
        self.protocolVersion = protocolVersion
    }

    var isActive: Bool { channel.isActive && !broken.load(ordering: .relaxed) }

    /// Connects, then says HELLO 3 (with AUTH) and falls back to RESP2 with AUTH when the
    /// server is older than Redis 6, then SELECTs the database.
    static func connect(_ configuration: RedisConfiguration, group: any EventLoopGroup) async throws -> RedisConnection {
        let channel: any Channel
        do {
            channel = try await ClientBootstrap(group: group)
                .connectTimeout(.nanoseconds(configuration.connectTimeout.nanoseconds))
                .channelOption(.tcpOption(.tcp_nodelay), value: 1)  // IPPROTO_TCP: at SOL_SOCKET, 1 is SO_DEBUG (needs CAP_NET_ADMIN)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(RESPDecoder()))
                        try channel.pipeline.syncOperations.addHandler(RedisCommandHandler())
                    }
                }
                .connect(host: configuration.host, port: configuration.port).get()
        } catch {
            throw RedisError.connectionFailed("\(configuration.host):\(configuration.port): \(error)")
        }
        do {
            let connection = try await handshake(channel, configuration)
            return connection
        } catch {
            try? await channel.close()
            if let error = error as? RedisError, case .server(let code, let message) = error {
                throw RedisError.connectionFailed("handshake refused: \(code) \(message)")
            }
            throw error
        }
    }

    private static func handshake(_ channel: any Channel, _ configuration: RedisConfiguration) async throws -> RedisConnection {
        var hello: [RedisArgument] = ["3"]
        if let password = configuration.password {
            hello += ["AUTH", RedisArgument(configuration.username ?? "default"), RedisArgument(password)]
        }
        let probe = RedisConnection(channel: channel, protocolVersion: 2)
        var version = 3
        let reply = try await probe.send([RedisCommand("HELLO", hello)], timeout: configuration.commandTimeout)[0]
        if case .error(let text) = reply {
            let error = RedisError.fromReply(text)
            // Servers before Redis 6 do not know HELLO: log in the RESP2 way.
            guard case .server(let code, _) = error, code == "ERR" || code == "NOPROTO" else { throw error }
            version = 2
            if let password = configuration.password {
                var auth: [RedisArgument] = []
                if let username = configuration.username { auth.append(RedisArgument(username)) }
                auth.append(RedisArgument(password))
                try Self.check(try await probe.send([RedisCommand("AUTH", auth)], timeout: configuration.commandTimeout)[0])
            }
        }
        if configuration.database != 0 {
            try Self.check(
                try await probe.send([RedisCommand("SELECT", [RedisArgument(configuration.database)])], timeout: configuration.commandTimeout)[0]
            )
        }
        return RedisConnection(channel: channel, protocolVersion: version)
    }

    private static func check(_ reply: RESPValue) throws {
        if case .error(let text) = reply { throw RedisError.fromReply(text) }
    }

    /// Writes the commands in one flush and waits for their replies (error replies included, as values).
    /// A timeout closes the connection: a late reply would otherwise answer the next command.
    func send(_ commands: [RedisCommand], timeout: Duration) async throws -> [RESPValue] {
        let promise = channel.eventLoop.makePromise(of: [RESPValue].self)
        let channel = self.channel
        let timer = channel.eventLoop.scheduleTask(in: .nanoseconds(timeout.nanoseconds)) { [self] in
            broken.store(true, ordering: .relaxed)
            promise.fail(RedisError.timeout)
            channel.close(promise: nil)
        }
        promise.futureResult.whenComplete { _ in timer.cancel() }
        // A write to a connection that closed in the meantime never reaches the handler: fail at once.
        channel.writeAndFlush(RedisRequest(commands: commands, promise: promise)).whenFailure { _ in promise.fail(RedisError.connectionClosed) }
        return try await promise.futureResult.get()
    }

    func close() async {
        try? await channel.close()
    }
}

extension Duration {
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
