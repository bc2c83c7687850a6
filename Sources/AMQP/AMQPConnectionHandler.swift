import Foundation
import NIOCore

/// The state of one AMQP connection, confined to its event loop: the opening handshake,
/// heartbeats, the channels with their pending synchronous calls, publisher confirms and
/// consumers, and content (header + body frames) put back together into messages.
///
/// ``AMQPConnection`` and ``AMQPChannel`` talk to it only through `eventLoop` hops.
final class AMQPConnectionHandler: ChannelDuplexHandler {
    typealias InboundIn = AMQPFrame
    typealias OutboundIn = AMQPFrame
    typealias OutboundOut = ByteBuffer

    struct Settings {
        var user: String
        var password: String
        var virtualHost: String
        var heartbeat: UInt16
        var frameMax: UInt32
        var channelMax: UInt16
        var connectionName: String
    }

    /// A synchronous call waiting for its reply.
    private struct PendingCall {
        let accepts: (AMQPMethod) -> Bool
        let promise: EventLoopPromise<AMQPMethod>
    }

    /// A message whose header and body frames are still arriving.
    private struct IncomingContent {
        var method: AMQPMethod
        var properties = AMQPProperties()
        var bodySize: UInt64 = 0
        var body = ByteBuffer()
        var headerSeen = false
    }

    private final class ChannelState {
        var calls = CircularBuffer<PendingCall>()
        var confirming = false
        var nextPublishTag: UInt64 = 1
        /// Publications not yet confirmed, by their delivery tag, oldest first.
        var unconfirmed: [(tag: UInt64, promise: EventLoopPromise<Void>)] = []
        var consumers: [String: AsyncThrowingStream<AMQPDelivery, any Error>.Continuation] = [:]
        var incoming: IncomingContent?
        var getPromise: EventLoopPromise<AMQPDelivery?>?
        var closed: AMQPError?
    }

    private let settings: Settings
    let opened: EventLoopPromise<Void>
    /// Succeeds when the connection ends normally, fails with the reason otherwise.
    let closed: EventLoopPromise<Void>
    private var context: ChannelHandlerContext?
    private var channels: [UInt16: ChannelState] = [:]
    private var nextChannelID: UInt16 = 1
    private(set) var negotiatedFrameMax: UInt32 = 131_072
    private var negotiatedHeartbeat: UInt16 = 0
    private var lastReceived = NIODeadline.now()
    private var lastSent = NIODeadline.now()
    private var heartbeatTask: RepeatedTask?
    private var isOpen = false
    private var closing: AMQPError?
    private var closedByClient = false
    /// Set while the broker has blocked publishing (memory or disk alarm); completed on unblock.
    private var unblocked: EventLoopPromise<Void>?
    var onBlockedChange: ((String?) -> Void)?

    init(settings: Settings, opened: EventLoopPromise<Void>, closed: EventLoopPromise<Void>) {
        self.settings = settings
        self.opened = opened
        self.closed = closed
    }

    // MARK: Pipeline events

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func channelActive(context: ChannelHandlerContext) {
        var buffer = context.channel.allocator.buffer(capacity: 8)
        buffer.writeBytes(AMQPFrame.protocolHeader)
        context.writeAndFlush(wrapOutboundOut(buffer), promise: nil)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        tearDown(closing ?? .connectionClosed("the socket closed"))
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        tearDown(error as? AMQPError ?? .connectionClosed("\(error)"))
        context.close(promise: nil)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        send(unwrapOutboundIn(data), promise: promise)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        lastReceived = .now()
        let frame = unwrapInboundIn(data)
        do {
            switch frame {
            case .heartbeat:
                break
            case .method(0, let method):
                try connectionMethod(method, context: context)
            case .method(let id, let method):
                try channelMethod(method, on: id)
            case .header(let id, let bodySize, let properties):
                try contentHeader(bodySize: bodySize, properties: properties, on: id, context: context)
            case .body(let id, var bytes):
                try contentBody(&bytes, on: id)
            }
        } catch {
            errorCaught(context: context, error: error)
        }
    }

    // MARK: Connection class

    private func connectionMethod(_ method: AMQPMethod, context: ChannelHandlerContext) throws {
        switch method {
        case .connectionStart(_, _, _, let mechanisms, _):
            guard mechanisms.split(separator: " ").contains("PLAIN") else {
                throw AMQPError.connectionFailed("the broker offers no PLAIN login (\(mechanisms))")
            }
            let capabilities: AMQPTable = [
                "publisher_confirms": .bool(true), "consumer_cancel_notify": .bool(true), "connection.blocked": .bool(true),
                "basic.nack": .bool(true), "authentication_failure_close": .bool(true),
            ]
            let properties: AMQPTable = [
                "product": .string("Comptoir AMQP"), "platform": .string("Swift"), "capabilities": .table(capabilities),
                "connection_name": .string(settings.connectionName),
            ]
            let response = [0] + Array(settings.user.utf8) + [0] + Array(settings.password.utf8)
            send(.method(channel: 0, .connectionStartOk(clientProperties: properties, mechanism: "PLAIN", response: response, locale: "en_US")))
        case .connectionTune(let channelMax, let frameMax, let heartbeat):
            // The lower of both sides' limits, where 0 means "no limit".
            func lower<T: FixedWidthInteger>(_ a: T, _ b: T) -> T { a == 0 ? b : b == 0 ? a : min(a, b) }
            let channels = lower(channelMax, settings.channelMax)
            let tunedFrameMax = lower(frameMax, settings.frameMax)
            // AMQP 0-9-1's frame-min-size: no peer may ask for less, and a body chunk must fit in a frame.
            guard tunedFrameMax == 0 || tunedFrameMax >= Self.minimumFrameMax else {
                throw AMQPError.protocolError("frame-max \(tunedFrameMax) is below the \(Self.minimumFrameMax)-byte minimum")
            }
            negotiatedFrameMax = tunedFrameMax
            negotiatedHeartbeat = settings.heartbeat == 0 ? 0 : lower(heartbeat, settings.heartbeat)
            send(.method(channel: 0, .connectionTuneOk(channelMax: channels, frameMax: negotiatedFrameMax, heartbeat: negotiatedHeartbeat)))
            send(.method(channel: 0, .connectionOpen(virtualHost: settings.virtualHost)))
            startHeartbeats(context: context)
        case .connectionOpenOk:
            isOpen = true
            opened.succeed()
        case .connectionClose(let code, let text, _, _):
            send(.method(channel: 0, .connectionCloseOk))
            let error: AMQPError =
                code == 403 || (!isOpen && text.contains("ACCESS_REFUSED"))
                ? .authenticationFailed("\(code) \(text)") : .connectionClosed("the broker closed it: \(code) \(text)")
            closing = error
            tearDown(error)
            context.close(promise: nil)
        case .connectionCloseOk:
            context.close(promise: nil)
        case .connectionBlocked(let reason):
            if unblocked == nil { unblocked = context.eventLoop.makePromise() }
            onBlockedChange?(reason)
        case .connectionUnblocked:
            unblocked?.succeed()
            unblocked = nil
            onBlockedChange?(nil)
        default:
            throw AMQPError.protocolError("unexpected \(method) on channel 0")
        }
    }

    private func startHeartbeats(context: ChannelHandlerContext) {
        guard negotiatedHeartbeat > 0 else { return }
        let interval = TimeAmount.seconds(Int64(negotiatedHeartbeat))
        let half = TimeAmount.nanoseconds(interval.nanoseconds / 2)
        let bound = NIOLoopBound(self, eventLoop: context.eventLoop)
        // Send at half the interval when idle; two silent intervals mean the peer is gone.
        heartbeatTask = context.eventLoop.scheduleRepeatedTask(initialDelay: half, delay: half) { _ in
            let handler = bound.value
            guard let context = handler.context else { return }
            let now = NIODeadline.now()
            if now - handler.lastReceived > interval * 2 {
                handler.closing = .connectionClosed("no heartbeat from the broker for \(Int(handler.negotiatedHeartbeat) * 2) s")
                context.close(promise: nil)
                return
            }
            if now - handler.lastSent >= half {
                handler.send(.heartbeat)
            }
        }
    }

    // MARK: Channels

    /// The smallest frame-max AMQP 0-9-1 allows (frame-min-size).
    static let minimumFrameMax: UInt32 = 4096

    /// What an operation returns once the handler is out of the pipeline: a failure on the
    /// connection's loop, where `closed` was made.
    private func notInPipeline<T>(_: T.Type = T.self) -> EventLoopFuture<T> {
        closed.futureResult.eventLoop.makeFailedFuture(ChannelError.ioOnClosedChannel)
    }

    /// Opens a channel; its id once the broker answered.
    func openChannel() -> EventLoopFuture<UInt16> {
        guard let context else { return notInPipeline() }
        let eventLoop = context.eventLoop
        guard closing == nil, isOpen else { return eventLoop.makeFailedFuture(closing ?? .connectionClosed("not open")) }
        var id = nextChannelID
        while channels[id] != nil { id = id == UInt16.max ? 1 : id + 1 }
        nextChannelID = id == UInt16.max ? 1 : id + 1
        channels[id] = ChannelState()
        let opened = id
        return call(.channelOpen, on: id) { if case .channelOpenOk = $0 { true } else { false } }.map { _ in opened }
    }

    /// Sends a synchronous method and waits for the reply `accepts` recognises.
    func call(_ method: AMQPMethod, on id: UInt16, accepts: @escaping (AMQPMethod) -> Bool) -> EventLoopFuture<AMQPMethod> {
        guard let context else { return notInPipeline() }
        let promise = context.eventLoop.makePromise(of: AMQPMethod.self)
        guard let state = channels[id], state.closed == nil else {
            promise.fail(channels[id]?.closed ?? closing ?? .connectionClosed("channel \(id) is closed"))
            return promise.futureResult
        }
        state.calls.append(PendingCall(accepts: accepts, promise: promise))
        send(.method(channel: id, method))
        return promise.futureResult
    }

    /// Sends a method that has no reply (ack, nack, reject).
    func cast(_ method: AMQPMethod, on id: UInt16) throws {
        guard let state = channels[id], state.closed == nil else {
            throw channels[id]?.closed ?? AMQPError.connectionClosed("channel \(id) is closed")
        }
        send(.method(channel: id, method))
    }

    func enableConfirms(on id: UInt16) -> EventLoopFuture<Void> {
        call(.confirmSelect, on: id) { if case .confirmSelectOk = $0 { true } else { false } }.assumeIsolated().map { _ in
            self.channels[id]?.confirming = true
        }.nonisolated()
    }

    /// Writes one message (method, header, body frames); with confirms on, the future
    /// completes at the broker's ack (fails at its nack), otherwise once written.
    func publish(_ body: ByteBuffer, exchange: String, routingKey: String, properties: AMQPProperties, on id: UInt16) -> EventLoopFuture<Void> {
        guard let context else { return notInPipeline() }
        let eventLoop = context.eventLoop
        guard let state = channels[id], state.closed == nil else {
            return eventLoop.makeFailedFuture(channels[id]?.closed ?? closing ?? AMQPError.connectionClosed("channel \(id) is closed"))
        }
        let write = {
            let written = eventLoop.makePromise(of: Void.self)
            self.send(.method(channel: id, .basicPublish(exchange: exchange, routingKey: routingKey, mandatory: false)), flush: false)
            self.send(.header(channel: id, bodySize: UInt64(body.readableBytes), properties: properties), flush: false)
            var remaining = body
            // Frame-max less the frame's 8 bytes of header and end; 0 (no limit) leaves the frame's UInt32 size.
            let chunk = Int(self.negotiatedFrameMax == 0 ? UInt32.max : self.negotiatedFrameMax) - 8
            while remaining.readableBytes > 0 {
                let length = min(chunk, remaining.readableBytes)
                let piece = remaining.readSlice(length: length)!  // trap-checked: 0 < length <= readableBytes; the tune keeps chunk >= 4088
                self.send(.body(channel: id, piece), flush: remaining.readableBytes == 0, promise: remaining.readableBytes == 0 ? written : nil)
            }
            if body.readableBytes == 0 { self.flush(promise: written) }
            guard state.confirming else { return written.futureResult }
            let confirmed = eventLoop.makePromise(of: Void.self)
            state.unconfirmed.append((state.nextPublishTag, confirmed))
            state.nextPublishTag += 1
            return confirmed.futureResult
        }
        // While the broker blocks publishers, wait for it to unblock before writing.
        if let unblocked { return unblocked.futureResult.assumeIsolated().flatMap { write() }.nonisolated() }
        return write()
    }

    /// Registers a consumer's stream before basic.consume is sent, so no delivery is missed.
    func addConsumer(_ tag: String, on id: UInt16, continuation: AsyncThrowingStream<AMQPDelivery, any Error>.Continuation) {
        channels[id]?.consumers[tag] = continuation
    }

    func removeConsumer(_ tag: String, on id: UInt16) {
        channels[id]?.consumers.removeValue(forKey: tag)?.finish()
    }

    /// basic.get: one message, or nil when the queue is empty.
    func get(queue: String, noAck: Bool, on id: UInt16) -> EventLoopFuture<AMQPDelivery?> {
        guard let context else { return notInPipeline() }
        let eventLoop = context.eventLoop
        guard let state = channels[id], state.closed == nil, state.getPromise == nil else {
            return eventLoop.makeFailedFuture(AMQPError.connectionClosed("channel \(id) is closed or busy"))
        }
        let promise = eventLoop.makePromise(of: AMQPDelivery?.self)
        state.getPromise = promise
        send(.method(channel: id, .basicGet(queue: queue, noAck: noAck)))
        return promise.futureResult
    }

    /// Closes a channel politely; its pending work fails.
    func closeChannel(_ id: UInt16) -> EventLoopFuture<Void> {
        guard let context else { return notInPipeline() }
        guard channels[id]?.closed == nil, closing == nil else { return context.eventLoop.makeSucceededVoidFuture() }
        let reply = call(.channelClose(code: 200, text: "bye", classId: 0, methodId: 0), on: id) {
            if case .channelCloseOk = $0 { true } else { false }
        }
        return reply.assumeIsolated().map { _ in self.finishChannel(id, .connectionClosed("channel closed by the client")) }.nonisolated()
    }

    /// Closes the connection politely (connection.close, then the socket).
    func close() -> EventLoopFuture<Void> {
        guard let context else { return closed.futureResult }
        if closing == nil {
            closedByClient = true
            closing = .connectionClosed("closed by the client")
            if isOpen {
                send(.method(channel: 0, .connectionClose(code: 200, text: "bye", classId: 0, methodId: 0)))
                // Do not wait for ever on a broker that does not answer.
                let channel = context.channel
                context.eventLoop.scheduleTask(in: .seconds(2)) { channel.close(promise: nil) }
            } else {
                context.close(promise: nil)
            }
        }
        return closed.futureResult
    }

    private func channelMethod(_ method: AMQPMethod, on id: UInt16) throws {
        guard let state = channels[id] else { throw AMQPError.protocolError("\(method) on unknown channel \(id)") }
        switch method {
        case .basicDeliver, .basicReturn, .basicGetOk:
            state.incoming = IncomingContent(method: method)
        case .basicGetEmpty:
            state.getPromise?.succeed(nil)
            state.getPromise = nil
        case .basicAck(let tag, let multiple):
            settle(state, tag: tag, multiple: multiple) { $0.succeed() }
        case .basicNack(let tag, let multiple, _):
            settle(state, tag: tag, multiple: multiple) { $0.fail(AMQPError.publishNacked) }
        case .basicCancel(let tag, _):
            // The broker cancelled the consumer (queue deleted, node lost): end its stream with an error.
            state.consumers.removeValue(forKey: tag)?.finish(
                throwing: AMQPError.channelClosed(code: 0, text: "consumer \(tag) cancelled by the broker")
            )
        case .channelClose(let code, let text, _, _):
            send(.method(channel: id, .channelCloseOk))
            finishChannel(id, .channelClosed(code: code, text: text))
        case .channelFlow(let active):
            send(.method(channel: id, .channelFlowOk(active: active)))
        default:
            guard let index = state.calls.firstIndex(where: { $0.accepts(method) }) else {
                throw AMQPError.protocolError("unexpected \(method) on channel \(id)")
            }
            // Replies come in the order of the calls; the first waiting call that accepts it is its.
            let call = state.calls.remove(at: index)
            call.promise.succeed(method)
        }
    }

    /// Completes the publication `tag`, or with `multiple` every one up to it.
    private func settle(_ state: ChannelState, tag: UInt64, multiple: Bool, _ complete: (EventLoopPromise<Void>) -> Void) {
        if multiple {
            while let first = state.unconfirmed.first, first.tag <= tag {
                state.unconfirmed.removeFirst()
                complete(first.promise)
            }
        } else if let index = state.unconfirmed.firstIndex(where: { $0.tag == tag }) {
            complete(state.unconfirmed.remove(at: index).promise)
        }
    }

    private func contentHeader(bodySize: UInt64, properties: AMQPProperties, on id: UInt16, context: ChannelHandlerContext) throws {
        guard let state = channels[id], var content = state.incoming, !content.headerSeen else {
            throw AMQPError.protocolError("a content header without its method on channel \(id)")
        }
        content.properties = properties
        content.bodySize = bodySize
        content.headerSeen = true
        content.body = context.channel.allocator.buffer(capacity: Int(min(bodySize, 1 << 20)))
        state.incoming = content
        if bodySize == 0 { deliver(state, on: id) }
    }

    private func contentBody(_ bytes: inout ByteBuffer, on id: UInt16) throws {
        guard let state = channels[id], var content = state.incoming, content.headerSeen else {
            throw AMQPError.protocolError("a body frame without its header on channel \(id)")
        }
        content.body.writeBuffer(&bytes)
        state.incoming = content
        if UInt64(content.body.readableBytes) >= content.bodySize { deliver(state, on: id) }
    }

    private func deliver(_ state: ChannelState, on id: UInt16) {
        guard let content = state.incoming else { return }
        state.incoming = nil
        switch content.method {
        case .basicDeliver(let tag, let deliveryTag, let redelivered, let exchange, let routingKey):
            let delivery = AMQPDelivery(
                consumerTag: tag,
                deliveryTag: deliveryTag,
                redelivered: redelivered,
                exchange: exchange,
                routingKey: routingKey,
                properties: content.properties,
                body: content.body
            )
            state.consumers[tag]?.yield(delivery)
        case .basicGetOk(let deliveryTag, let redelivered, let exchange, let routingKey, _):
            state.getPromise?.succeed(
                AMQPDelivery(
                    consumerTag: "",
                    deliveryTag: deliveryTag,
                    redelivered: redelivered,
                    exchange: exchange,
                    routingKey: routingKey,
                    properties: content.properties,
                    body: content.body
                )
            )
            state.getPromise = nil
        default:
            break  // basic.return: we never publish mandatory messages
        }
    }

    private func finishChannel(_ id: UInt16, _ error: AMQPError) {
        guard let state = channels.removeValue(forKey: id) else { return }
        state.closed = error
        while let call = state.calls.popFirst() { call.promise.fail(error) }
        for entry in state.unconfirmed { entry.promise.fail(error) }
        state.unconfirmed.removeAll()
        for continuation in state.consumers.values { continuation.finish(throwing: error) }
        state.consumers.removeAll()
        state.getPromise?.fail(error)
        state.getPromise = nil
    }

    private func tearDown(_ error: AMQPError) {
        heartbeatTask?.cancel()
        heartbeatTask = nil
        for id in Array(channels.keys) { finishChannel(id, error) }
        unblocked?.fail(error)
        unblocked = nil
        if !isOpen { opened.fail(error) }
        isOpen = false
        if closedByClient { closed.succeed() } else { closed.fail(error) }
    }

    // MARK: Writing

    private func send(_ frame: AMQPFrame, flush: Bool = true, promise: EventLoopPromise<Void>? = nil) {
        guard let context else { return }
        var buffer = context.channel.allocator.buffer(capacity: 64)
        do {
            try frame.encode(into: &buffer)
        } catch {
            promise?.fail(error)
            return
        }
        lastSent = .now()
        if flush {
            context.writeAndFlush(wrapOutboundOut(buffer), promise: promise)
        } else {
            context.write(wrapOutboundOut(buffer), promise: promise)
        }
    }

    private func flush(promise: EventLoopPromise<Void>) {
        context?.flush()
        promise.succeed()
    }
}
