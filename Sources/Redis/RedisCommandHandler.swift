import NIOCore

/// Matches replies to commands on one connection. Redis answers in order, so commands from
/// many callers can be written back to back (pipelining) and each reply goes to the oldest
/// waiting request.
final class RedisCommandHandler: ChannelDuplexHandler {
    typealias InboundIn = RESPValue
    typealias OutboundIn = RedisRequest
    typealias OutboundOut = ByteBuffer

    private struct Pending {
        var remaining: Int
        var replies: [RESPValue]
        let promise: EventLoopPromise<[RESPValue]>
    }

    private var pending = CircularBuffer<Pending>()
    private var closedError: RedisError?

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let request = unwrapOutboundIn(data)
        if let closedError {
            request.promise.fail(closedError)
            promise?.fail(closedError)
            return
        }
        var buffer = context.channel.allocator.buffer(capacity: 64)
        for command in request.commands { command.encode(into: &buffer) }
        pending.append(Pending(remaining: request.commands.count, replies: [], promise: request.promise))
        context.write(wrapOutboundOut(buffer), promise: promise)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let value = unwrapInboundIn(data)
        // Push messages are out of band (we never subscribe); they answer no command.
        if case .push = value { return }
        guard !pending.isEmpty else {
            context.fireErrorCaught(RedisError.protocolError("a reply arrived for no command"))
            return
        }
        pending[pending.startIndex].replies.append(value)
        pending[pending.startIndex].remaining -= 1
        if pending[pending.startIndex].remaining == 0 {
            let done = pending.removeFirst()
            done.promise.succeed(done.replies)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        failAll(error as? RedisError ?? .protocolError("\(error)"))
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        failAll(.connectionClosed)
        context.fireChannelInactive()
    }

    private func failAll(_ error: RedisError) {
        if closedError == nil { closedError = error }
        while let request = pending.popFirst() { request.promise.fail(error) }
    }
}

/// Commands written together and the promise of their replies, in order.
struct RedisRequest: Sendable {
    let commands: [RedisCommand]
    let promise: EventLoopPromise<[RESPValue]>
}
