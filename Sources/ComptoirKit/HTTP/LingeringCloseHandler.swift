import NIOCore
import NIOHTTPTypes

/// Reads and discards what a client is still sending when the server answers early and closes,
/// as nginx's lingering close does.
///
/// Many clients (Python's urllib and requests, most SDKs) write a whole request body before they
/// read a byte of the answer. When a server answers early (413 for a body over the limit, 401, 415)
/// and closes the socket with that body still arriving, the kernel answers the unread bytes with a
/// TCP reset, and the reset throws away the answer the client had not read yet: the client sees
/// "connection reset" instead of the 413. So a close that comes while a request body is still
/// arriving becomes a half-close: the answer and a FIN go out, and the rest of the body is read and
/// dropped until it ends, the client closes, or one of ``Limits`` is reached.
///
/// It bounds the keep-alive case too: once the answer is complete, Hummingbird reads the rest of the
/// body to reuse the connection; past ``Limits/bytes`` the connection is closed instead.
///
/// It sits in the pipeline after the HTTP codec (`HTTP1Channel`'s additional channel handlers).
public final class LingeringCloseHandler: ChannelDuplexHandler, RemovableChannelHandler {
    public typealias InboundIn = HTTPRequestPart
    public typealias InboundOut = HTTPRequestPart
    public typealias OutboundIn = HTTPResponsePart
    public typealias OutboundOut = HTTPResponsePart

    /// How much and how long a client may go on sending a body nobody will read.
    public struct Limits: Sendable {
        /// Body bytes read and dropped after the answer, at most.
        public var bytes: Int
        /// The longest a lingering close waits in all.
        public var time: TimeAmount
        /// The longest a lingering close waits for the next bytes.
        public var idle: TimeAmount

        public init(bytes: Int = 64 << 20, time: TimeAmount = .seconds(30), idle: TimeAmount = .seconds(5)) {
            self.bytes = bytes
            self.time = time
            self.idle = idle
        }
    }

    private let limits: Limits
    /// A request head has arrived and its end has not.
    private var requestOpen = false
    /// The answer to the open request is complete: what it still sends is read only to be dropped.
    private var answered = false
    private var droppedBytes = 0
    /// Set while a close waits for the client: the promises of the closes asked for meanwhile.
    private var lingering: [EventLoopPromise<Void>?]?
    private var deadline: Scheduled<Void>?
    private var idleTimer: Scheduled<Void>?

    public init(limits: Limits = .init()) {
        self.limits = limits
    }

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let part = unwrapInboundIn(data)
        switch part {
        case .head:
            requestOpen = true
            answered = false
            droppedBytes = 0
        case .body(let buffer):
            if answered { droppedBytes += buffer.readableBytes }
        case .end:
            requestOpen = false
        }
        guard lingering == nil else {
            if !requestOpen || droppedBytes > limits.bytes { finishClosing(context: context) } else { restartIdleTimer(context: context) }
            return
        }
        if answered && droppedBytes > limits.bytes {
            context.close(mode: .all, promise: nil)
            return
        }
        context.fireChannelRead(data)
    }

    public func channelReadComplete(context: ChannelHandlerContext) {
        // The async channel reads no more once its handler has returned: while lingering, ask ourselves.
        if lingering != nil { context.read() } else { context.fireChannelReadComplete() }
    }

    public func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data), requestOpen { answered = true }
        context.write(data, promise: promise)
    }

    public func close(context: ChannelHandlerContext, mode: CloseMode, promise: EventLoopPromise<Void>?) {
        if lingering != nil {
            // Already half-closed: a full close waits for the lingering to end.
            if mode == .all { lingering?.append(promise) } else { promise?.succeed() }
            return
        }
        guard requestOpen, mode != .input, context.channel.isActive else {
            context.close(mode: mode, promise: promise)
            return
        }
        lingering = mode == .all ? [promise] : []
        context.close(mode: .output, promise: mode == .output ? promise : nil)
        let loop = context.eventLoop.assumeIsolated()
        deadline = loop.scheduleTask(in: limits.time) { self.finishClosing(context: context) }
        restartIdleTimer(context: context)
        context.read()
    }

    public func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if lingering != nil, let event = event as? ChannelEvent, event == .inputClosed {
            finishClosing(context: context)
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    public func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if lingering != nil { finishClosing(context: context) } else { context.fireErrorCaught(error) }
    }

    public func channelInactive(context: ChannelHandlerContext) {
        if lingering != nil { finishClosing(context: context) }
        context.fireChannelInactive()
    }

    private func restartIdleTimer(context: ChannelHandlerContext) {
        idleTimer?.cancel()
        idleTimer = context.eventLoop.assumeIsolated().scheduleTask(in: limits.idle) { self.finishClosing(context: context) }
    }

    /// Ends the lingering: closes the connection and completes every close asked for meanwhile.
    private func finishClosing(context: ChannelHandlerContext) {
        guard let promises = lingering else { return }
        lingering = nil
        deadline?.cancel()
        idleTimer?.cancel()
        let closed = context.eventLoop.makePromise(of: Void.self)
        closed.futureResult.whenComplete { _ in
            for promise in promises { promise?.succeed() }
        }
        context.close(mode: .all, promise: closed)
    }
}
