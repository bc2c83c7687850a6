import Logging
import NIOCore
import NIOPosix

/// One connection to one RabbitMQ node. Channels are opened on it; when it closes, every
/// channel fails and ``closeFuture`` says why. ``AMQPClient`` adds reconnection across nodes.
public final class AMQPConnection: Sendable {
    private let channel: any Channel
    private let handler: NIOLoopBound<AMQPConnectionHandler>
    let requestTimeout: Duration
    public let endpoint: AMQPEndpoint
    /// Succeeds when the connection was closed by ``close()``, fails with the reason otherwise.
    public let closeFuture: EventLoopFuture<Void>

    private init(
        channel: any Channel,
        handler: NIOLoopBound<AMQPConnectionHandler>,
        closeFuture: EventLoopFuture<Void>,
        endpoint: AMQPEndpoint,
        requestTimeout: Duration
    ) {
        self.channel = channel
        self.handler = handler
        self.endpoint = endpoint
        self.requestTimeout = requestTimeout
        self.closeFuture = closeFuture
    }

    /// Connects to `endpoint` and logs in (PLAIN), then tunes heartbeats and frame size.
    /// - Parameter onBlocked: called with the broker's reason when it blocks publishers
    ///   (memory or disk alarm), and with `nil` when it unblocks them.
    public static func connect(
        to endpoint: AMQPEndpoint,
        configuration: AMQPConfiguration,
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        onBlocked: (@Sendable (String?) -> Void)? = nil
    ) async throws -> AMQPConnection {
        let eventLoop = group.next()
        let opened = eventLoop.makePromise(of: Void.self)
        let closed = eventLoop.makePromise(of: Void.self)
        let settings = AMQPConnectionHandler.Settings(
            user: configuration.user,
            password: configuration.password,
            virtualHost: configuration.virtualHost,
            heartbeat: configuration.heartbeat,
            frameMax: configuration.frameMax,
            channelMax: 2047,
            connectionName: configuration.connectionName
        )
        let channel: any Channel
        do {
            channel = try await ClientBootstrap(group: eventLoop)
                .connectTimeout(.nanoseconds(configuration.connectTimeout.nanoseconds))
                .channelOption(.tcpOption(.tcp_nodelay), value: 1)  // IPPROTO_TCP: at SOL_SOCKET, 1 is SO_DEBUG (needs CAP_NET_ADMIN)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        let handler = AMQPConnectionHandler(settings: settings, opened: opened, closed: closed)
                        handler.onBlockedChange = onBlocked
                        try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(AMQPFrameDecoder()))
                        try channel.pipeline.syncOperations.addHandler(handler)
                    }
                }
                .connect(host: endpoint.host, port: endpoint.port).get()
        } catch {
            opened.fail(AMQPError.connectionFailed("\(endpoint): \(error)"))
            closed.fail(AMQPError.connectionFailed("\(endpoint): \(error)"))
            throw AMQPError.connectionFailed("\(endpoint): \(error)")
        }
        let timeout = channel.eventLoop.scheduleTask(in: .nanoseconds(configuration.connectTimeout.nanoseconds * 2)) {
            opened.fail(AMQPError.connectionFailed("\(endpoint): no answer to the AMQP handshake"))
            channel.close(promise: nil)
        }
        do {
            try await opened.futureResult.get()
            timeout.cancel()
        } catch {
            timeout.cancel()
            try? await channel.close()
            throw error
        }
        let handler = try await channel.eventLoop.submit {
            NIOLoopBound(try channel.pipeline.syncOperations.handler(type: AMQPConnectionHandler.self), eventLoop: channel.eventLoop)
        }.get()
        return AMQPConnection(
            channel: channel,
            handler: handler,
            closeFuture: closed.futureResult,
            endpoint: endpoint,
            requestTimeout: configuration.requestTimeout
        )
    }

    public var isOpen: Bool { channel.isActive }

    /// Opens a channel.
    public func openChannel() async throws -> AMQPChannel {
        let id = try await onLoop { $0.openChannel() }
        return AMQPChannel(id: id, connection: self)
    }

    /// Closes the connection (connection.close, then the socket); every channel fails.
    public func close() async {
        _ = try? await onLoop { $0.close() }
    }

    /// Runs `body` with the handler on its event loop, failing with ``AMQPError/timeout`` when
    /// the future it returns takes longer than the request timeout.
    func onLoop<T: Sendable>(_ body: @escaping @Sendable (AMQPConnectionHandler) -> EventLoopFuture<T>) async throws -> T {
        let eventLoop = channel.eventLoop
        let handler = self.handler
        let timeout = TimeAmount.nanoseconds(requestTimeout.nanoseconds)
        return try await eventLoop.flatSubmit {
            let promise = eventLoop.makePromise(of: T.self)
            let timer = eventLoop.scheduleTask(in: timeout) { promise.fail(AMQPError.timeout) }
            body(handler.value).whenComplete { result in
                timer.cancel()
                promise.completeWith(result)
            }
            return promise.futureResult
        }.get()
    }

    /// Runs `body` with the handler on its event loop, without waiting for anything else.
    func onLoop(_ body: @escaping @Sendable (AMQPConnectionHandler) throws -> Void) async throws {
        let handler = self.handler
        try await channel.eventLoop.submit { try body(handler.value) }.get()
    }
}

extension Duration {
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
