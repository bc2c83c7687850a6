import NIOCore
import NIOPosix
import NIOSSL
import NIOTLS

/// One conversation with an SMTP server: commands written one at a time, each answered by one
/// reply. A timeout closes the connection, since a late reply would answer the next command.
final class SMTPConnection: Sendable {
    private let channel: any Channel
    private let handler: NIOLoopBound<SMTPReplyHandler>
    let commandTimeout: Duration

    private init(channel: any Channel, handler: NIOLoopBound<SMTPReplyHandler>, commandTimeout: Duration) {
        self.channel = channel
        self.handler = handler
        self.commandTimeout = commandTimeout
    }

    /// Connects (with TLS from the first byte for implicit TLS) and reads the greeting.
    static func connect(_ configuration: SMTPConfiguration, group: any EventLoopGroup) async throws -> SMTPConnection {
        let tlsContext = configuration.security == .implicitTLS ? try NIOSSLContext(configuration: configuration.tls) : nil
        let channel: any Channel
        do {
            channel = try await ClientBootstrap(group: group)
                .connectTimeout(.nanoseconds(configuration.connectTimeout.nanoseconds))
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        if let tlsContext {
                            try channel.pipeline.syncOperations.addHandler(
                                NIOSSLClientHandler(context: tlsContext, serverHostname: Self.sniName(configuration.host))
                            )
                        }
                        try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(SMTPReplyDecoder()))
                        try channel.pipeline.syncOperations.addHandler(SMTPReplyHandler())
                    }
                }
                .connect(host: configuration.host, port: configuration.port).get()
        } catch {
            throw SMTPError.connectionFailed("\(configuration.host):\(configuration.port): \(error)")
        }
        let handler = try await channel.eventLoop.submit {
            NIOLoopBound(try channel.pipeline.syncOperations.handler(type: SMTPReplyHandler.self), eventLoop: channel.eventLoop)
        }.get()
        let connection = SMTPConnection(channel: channel, handler: handler, commandTimeout: configuration.commandTimeout)
        do {
            try await connection.nextReply(timeout: configuration.commandTimeout).expect(220)
        } catch {
            await connection.close()
            throw error
        }
        return connection
    }

    /// Sends one command line and returns the reply.
    func command(_ line: String) async throws -> SMTPReply {
        try await write(ByteBuffer(string: line + "\r\n"), then: commandTimeout)
    }

    /// Writes `bytes` (already framed) and returns the reply that follows.
    func write(_ bytes: ByteBuffer, then timeout: Duration) async throws -> SMTPReply {
        try await channel.writeAndFlush(bytes).get()
        return try await nextReply(timeout: timeout)
    }

    /// Upgrades the connection to TLS after the server's 220 to STARTTLS.
    func startTLS(_ configuration: SMTPConfiguration) async throws {
        let context = try NIOSSLContext(configuration: configuration.tls)
        let handshake = channel.eventLoop.makePromise(of: Void.self)
        try await channel.eventLoop.submit { [channel] in
            let tls = try NIOSSLClientHandler(context: context, serverHostname: Self.sniName(configuration.host))
            try channel.pipeline.syncOperations.addHandler(tls, position: .first)
            try channel.pipeline.syncOperations.addHandler(HandshakeWatcher(done: handshake), position: .after(tls))
        }.get()
        let timer = channel.eventLoop.scheduleTask(in: .nanoseconds(commandTimeout.nanoseconds)) { handshake.fail(SMTPError.timeout) }
        defer { timer.cancel() }
        do {
            try await handshake.futureResult.get()
        } catch {
            await close()
            throw error as? SMTPError ?? SMTPError.connectionFailed("TLS handshake: \(error)")
        }
    }

    private func nextReply(timeout: Duration) async throws -> SMTPReply {
        let handler = self.handler
        let channel = self.channel
        let reply = try await channel.eventLoop.flatSubmit {
            let promise = channel.eventLoop.makePromise(of: SMTPReply.self)
            handler.value.waitForReply(promise)
            let timer = channel.eventLoop.scheduleTask(in: .nanoseconds(timeout.nanoseconds)) {
                promise.fail(SMTPError.timeout)
                channel.close(promise: nil)
            }
            promise.futureResult.whenComplete { _ in timer.cancel() }
            return promise.futureResult
        }.get()
        return reply
    }

    func close() async {
        try? await channel.close()
    }

    /// SNI takes a host name, not an IP address.
    private static func sniName(_ host: String) -> String? {
        host.allSatisfy { $0.isNumber || $0 == "." || $0 == ":" } ? nil : host
    }
}

/// Hands each decoded reply to the command waiting for it, or keeps it until one asks (the
/// greeting arrives before anyone asked).
final class SMTPReplyHandler: ChannelInboundHandler {
    typealias InboundIn = SMTPReply

    private var replies = CircularBuffer<SMTPReply>()
    private var waiters = CircularBuffer<EventLoopPromise<SMTPReply>>()
    private var failure: (any Error)?

    func waitForReply(_ promise: EventLoopPromise<SMTPReply>) {
        if let reply = replies.popFirst() {
            promise.succeed(reply)
        } else if let failure {
            promise.fail(failure)
        } else {
            waiters.append(promise)
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let reply = unwrapInboundIn(data)
        if let waiter = waiters.popFirst() {
            waiter.succeed(reply)
        } else {
            replies.append(reply)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        fail(error as? SMTPError ?? .connectionFailed("\(error)"))
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        fail(SMTPError.connectionClosed)
        context.fireChannelInactive()
    }

    private func fail(_ error: SMTPError) {
        if failure == nil { failure = error }
        while let waiter = waiters.popFirst() { waiter.fail(error) }
    }
}

/// Completes when the TLS handshake it sits behind has finished (or failed).
private final class HandshakeWatcher: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = NIOAny
    private let done: EventLoopPromise<Void>

    init(done: EventLoopPromise<Void>) {
        self.done = done
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let tls = event as? TLSUserEvent, case .handshakeCompleted = tls {
            done.succeed(())
            context.pipeline.syncOperations.removeHandler(self, promise: nil)
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        done.fail(SMTPError.connectionFailed("TLS handshake: \(error)"))
        context.fireErrorCaught(error)
    }

    func channelInactive(context: ChannelHandlerContext) {
        done.fail(SMTPError.connectionClosed)
        context.fireChannelInactive()
    }
}

extension Duration {
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
