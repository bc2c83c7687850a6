import Foundation
import NIOCore

/// A channel of an ``AMQPConnection``: declarations, publishing (with confirms once
/// ``enableConfirms()`` was called), consuming and acknowledging. A channel the broker closed
/// (a 404 or 406, say) fails every later call with ``AMQPError/channelClosed(code:text:)``.
public struct AMQPChannel: Sendable {
    public let id: UInt16
    public let connection: AMQPConnection

    /// Declares an exchange (`topic`, `direct`, `fanout` or `headers`); idempotent when the
    /// arguments match what exists.
    public func declareExchange(
        _ name: String,
        type: String = "topic",
        durable: Bool = true,
        autoDelete: Bool = false,
        arguments: AMQPTable = [:]
    ) async throws {
        try await call(
            .exchangeDeclare(
                name: name,
                type: type,
                passive: false,
                durable: durable,
                autoDelete: autoDelete,
                isInternal: false,
                arguments: arguments
            )
        ) {
            if case .exchangeDeclareOk = $0 { true } else { false }
        }
    }

    /// Declares a queue and returns how many messages and consumers it has. Quorum queues:
    /// `arguments: ["x-queue-type": .string("quorum")]` (durable, never exclusive).
    @discardableResult
    public func declareQueue(
        _ name: String,
        durable: Bool = true,
        exclusive: Bool = false,
        autoDelete: Bool = false,
        passive: Bool = false,
        arguments: AMQPTable = [:]
    ) async throws -> (messages: UInt32, consumers: UInt32) {
        let reply = try await call(
            .queueDeclare(name: name, passive: passive, durable: durable, exclusive: exclusive, autoDelete: autoDelete, arguments: arguments)
        ) {
            if case .queueDeclareOk = $0 { true } else { false }
        }
        guard case .queueDeclareOk(_, let messages, let consumers) = reply else { throw AMQPError.protocolError("expected queue.declare-ok") }
        return (messages, consumers)
    }

    public func bindQueue(_ queue: String, to exchange: String, routingKey: String, arguments: AMQPTable = [:]) async throws {
        try await call(.queueBind(queue: queue, exchange: exchange, routingKey: routingKey, arguments: arguments)) {
            if case .queueBindOk = $0 { true } else { false }
        }
    }

    /// Empties a queue; returns how many messages it dropped.
    @discardableResult
    public func purgeQueue(_ queue: String) async throws -> UInt32 {
        guard
            case .queuePurgeOk(let count) = try await call(.queuePurge(queue: queue), accepts: { if case .queuePurgeOk = $0 { true } else { false } })
        else {
            throw AMQPError.protocolError("expected queue.purge-ok")
        }
        return count
    }

    @discardableResult
    public func deleteQueue(_ queue: String) async throws -> UInt32 {
        guard
            case .queueDeleteOk(let count) = try await call(
                .queueDelete(queue: queue, ifUnused: false, ifEmpty: false),
                accepts: { if case .queueDeleteOk = $0 { true } else { false } }
            )
        else { throw AMQPError.protocolError("expected queue.delete-ok") }
        return count
    }

    public func deleteExchange(_ exchange: String) async throws {
        try await call(.exchangeDelete(name: exchange, ifUnused: false)) { if case .exchangeDeleteOk = $0 { true } else { false } }
    }

    /// At most `prefetchCount` unacknowledged deliveries on this channel's consumers at once.
    public func setPrefetch(_ prefetchCount: UInt16) async throws {
        try await call(.basicQos(prefetchSize: 0, prefetchCount: prefetchCount, global: false)) { if case .basicQosOk = $0 { true } else { false } }
    }

    /// Puts the channel in confirm mode: every later ``publish(_:exchange:routingKey:properties:)``
    /// returns only when the broker has taken responsibility for the message.
    public func enableConfirms() async throws {
        try await connection.onLoop { handler in handler.enableConfirms(on: id) }
    }

    /// Publishes a message. In confirm mode the call returns at the broker's ack (and throws
    /// ``AMQPError/publishNacked`` at a nack); many publications may be in flight at once, from
    /// concurrent tasks or through ``publishAll(_:)``.
    public func publish(_ body: ByteBuffer, exchange: String, routingKey: String, properties: AMQPProperties = .persistent) async throws {
        try await connection.onLoop { handler in handler.publish(body, exchange: exchange, routingKey: routingKey, properties: properties, on: id) }
    }

    /// One message of ``publishAll(_:)``.
    public struct Message: Sendable {
        public var body: ByteBuffer
        public var exchange: String
        public var routingKey: String
        public var properties: AMQPProperties

        public init(body: ByteBuffer, exchange: String, routingKey: String, properties: AMQPProperties = .persistent) {
            self.body = body
            self.exchange = exchange
            self.routingKey = routingKey
            self.properties = properties
        }
    }

    /// Writes every message in order at once, then waits for all their confirms: one result
    /// per message, in order. The broker keeps the order of one channel's messages in a queue.
    public func publishAll(_ messages: [Message]) async -> [Result<Void, AMQPError>] {
        guard !messages.isEmpty else { return [] }
        do {
            let futures = try await connection.onLoop { handler -> EventLoopFuture<[Result<Void, any Error>]> in
                let pending = messages.map {
                    handler.publish($0.body, exchange: $0.exchange, routingKey: $0.routingKey, properties: $0.properties, on: id)
                }
                return EventLoopFuture.whenAllComplete(pending, on: pending[0].eventLoop)
            }
            return futures.map { result in result.mapError { $0 as? AMQPError ?? .connectionClosed("\($0)") } }
        } catch {
            let failure = error as? AMQPError ?? .connectionClosed("\(error)")
            return messages.map { _ in .failure(failure) }
        }
    }

    /// Starts consuming `queue`: deliveries arrive on the returned sequence until the consumer is
    /// cancelled or the channel closes (then the sequence throws). Acknowledge each with ``ack(_:)``.
    public func consume(_ queue: String, consumerTag: String = "", exclusive: Bool = false, arguments: AMQPTable = [:]) async throws -> AMQPConsumer {
        let tag = consumerTag.isEmpty ? "comptoir-\(UUID().uuidString.lowercased())" : consumerTag
        let (stream, continuation) = AsyncThrowingStream<AMQPDelivery, any Error>.makeStream()
        try await connection.onLoop { handler in handler.addConsumer(tag, on: id, continuation: continuation) }
        do {
            try await call(.basicConsume(queue: queue, consumerTag: tag, noAck: false, exclusive: exclusive, arguments: arguments)) {
                if case .basicConsumeOk(tag) = $0 { true } else { false }
            }
        } catch {
            try? await connection.onLoop { handler in handler.removeConsumer(tag, on: id) }
            throw error
        }
        return AMQPConsumer(tag: tag, deliveries: stream)
    }

    /// Stops a consumer; deliveries already sent still need their acks.
    public func cancel(_ consumer: AMQPConsumer) async throws {
        try await call(.basicCancel(consumerTag: consumer.tag, noWait: false)) { if case .basicCancelOk(consumer.tag) = $0 { true } else { false } }
        try await connection.onLoop { handler in handler.removeConsumer(consumer.tag, on: id) }
    }

    /// Fetches one message (basic.get), or `nil` when the queue is empty.
    public func get(_ queue: String, autoAck: Bool = false) async throws -> AMQPDelivery? {
        try await connection.onLoop { handler in handler.get(queue: queue, noAck: autoAck, on: id) }
    }

    public func ack(_ delivery: AMQPDelivery, multiple: Bool = false) async throws {
        try await connection.onLoop { handler in try handler.cast(.basicAck(deliveryTag: delivery.deliveryTag, multiple: multiple), on: id) }
    }

    /// Refuses a delivery: back into the queue with `requeue`, else dead-lettered (or dropped
    /// when the queue has no dead-letter exchange).
    public func nack(_ delivery: AMQPDelivery, requeue: Bool, multiple: Bool = false) async throws {
        try await connection.onLoop { handler in
            try handler.cast(.basicNack(deliveryTag: delivery.deliveryTag, multiple: multiple, requeue: requeue), on: id)
        }
    }

    public func reject(_ delivery: AMQPDelivery, requeue: Bool) async throws {
        try await connection.onLoop { handler in try handler.cast(.basicReject(deliveryTag: delivery.deliveryTag, requeue: requeue), on: id) }
    }

    public func close() async throws {
        try await connection.onLoop { handler in handler.closeChannel(id) }
    }

    @discardableResult
    private func call(_ method: AMQPMethod, accepts: @escaping @Sendable (AMQPMethod) -> Bool) async throws -> AMQPMethod {
        try await connection.onLoop { handler in handler.call(method, on: id, accepts: accepts) }
    }
}

/// A running consumer: its tag and its deliveries.
public struct AMQPConsumer: Sendable {
    public let tag: String
    public let deliveries: AsyncThrowingStream<AMQPDelivery, any Error>
}
