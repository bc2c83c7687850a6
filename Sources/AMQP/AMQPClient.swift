import Foundation
import Logging
import NIOCore
import NIOPosix
import Synchronization

/// A connection to a RabbitMQ cluster that stays up: ``run()`` connects to one node of the
/// list, declares the topology, starts the consumers, and when the connection drops (a node
/// stopped, a network cut, missed heartbeats) moves on to the next node after a back-off,
/// declaring and consuming again. Publications go through a channel in confirm mode.
public final class AMQPClient: Sendable {
    /// What a consumer's handler decides for a delivery.
    public enum Disposition: Sendable {
        /// Done: the broker forgets the message.
        case ack
        /// Put it back in the queue for another try.
        case requeue
        /// Give up: the queue's dead-letter exchange gets it.
        case deadLetter
    }

    /// A consumer registered before ``run()``; restarted on every connection.
    public struct Consumer: Sendable {
        public var queue: String
        public var prefetch: UInt16
        public var handle: @Sendable (AMQPDelivery) async -> Disposition

        public init(queue: String, prefetch: UInt16 = 32, handle: @escaping @Sendable (AMQPDelivery) async -> Disposition) {
            self.queue = queue
            self.prefetch = prefetch
            self.handle = handle
        }
    }

    private struct State {
        var topology = AMQPTopology()
        var consumers: [Consumer] = []
        var connection: AMQPConnection?
        var publisher: AMQPChannel?
        var stopping = false
        var blocked: String?
    }

    public let configuration: AMQPConfiguration
    private let group: any EventLoopGroup
    private let logger: Logger
    private let state = Mutex(State())

    public init(configuration: AMQPConfiguration, group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton, logger: Logger = Logger(label: "amqp")) {
        self.configuration = configuration
        self.group = group
        self.logger = logger
    }

    /// Adds exchanges, queues and bindings declared on every connection, before consumers start.
    public func declare(_ topology: AMQPTopology) {
        state.withLock { $0.topology.merge(topology) }
    }

    /// Adds a consumer, started on every connection.
    public func addConsumer(_ consumer: Consumer) {
        state.withLock { $0.consumers.append(consumer) }
    }

    /// Whether a connection is up right now.
    public var isConnected: Bool { state.withLock { $0.publisher != nil } }

    /// The broker's reason while it blocks publishers (a memory or disk alarm), else `nil`.
    public var blockedReason: String? { state.withLock { $0.blocked } }

    /// Connects and reconnects until ``shutdown()`` or cancellation.
    public func run() async {
        var failures = 0
        var next = Int.random(in: 0..<max(configuration.endpoints.count, 1))
        while !Task.isCancelled, !state.withLock({ $0.stopping }) {
            let endpoint = configuration.endpoints[next % configuration.endpoints.count]
            next += 1
            do {
                let connection = try await AMQPConnection.connect(to: endpoint, configuration: configuration, group: group) { reason in
                    self.blockedChanged(reason)
                }
                failures = 0
                await serve(connection)
            } catch {
                failures += 1
                let backoff = min(configuration.minimumBackoff * (1 << min(failures - 1, 16)), configuration.maximumBackoff)
                logger.warning(
                    "RabbitMQ connection failed; trying the next node",
                    metadata: ["node": .string(endpoint.description), "error": .string("\(error)"), "retry_in": .string("\(backoff)")])
                try? await Task.sleep(for: backoff)
            }
        }
    }

    private func blockedChanged(_ reason: String?) {
        state.withLock { $0.blocked = reason }
        if let reason {
            logger.warning("RabbitMQ blocks publishers", metadata: ["reason": .string(reason)])
        } else {
            logger.notice("RabbitMQ unblocked publishers")
        }
    }

    /// Uses one connection until it closes: topology, publisher, consumers.
    private func serve(_ connection: AMQPConnection) async {
        do {
            let publisher = try await connection.openChannel()
            let (topology, consumers) = state.withLock { ($0.topology, $0.consumers) }
            try await topology.declare(on: publisher)
            try await publisher.enableConfirms()
            try await withThrowingTaskGroup(of: Void.self) { group in
                for consumer in consumers {
                    let channel = try await connection.openChannel()
                    try await channel.setPrefetch(consumer.prefetch)
                    let subscription = try await channel.consume(consumer.queue)
                    group.addTask { await Self.deliver(subscription, of: consumer, on: channel) }
                }
                let stopping = state.withLock { state -> Bool in
                    state.connection = connection
                    state.publisher = publisher
                    return state.stopping
                }
                if stopping { await connection.close() }
                logger.notice("RabbitMQ connected", metadata: ["node": .string(connection.endpoint.description), "consumers": .stringConvertible(consumers.count)])
                let reason: String
                do {
                    try await connection.closeFuture.get()
                    reason = "closed"
                } catch {
                    reason = "\(error)"
                }
                state.withLock { state in
                    state.connection = nil
                    state.publisher = nil
                }
                group.cancelAll()
                let stoppedOnPurpose = state.withLock { $0.stopping }
                if !stoppedOnPurpose {
                    logger.warning("RabbitMQ connection lost; reconnecting", metadata: ["node": .string(connection.endpoint.description), "reason": .string(reason)])
                }
            }
        } catch {
            logger.warning("RabbitMQ setup failed on a fresh connection", metadata: ["node": .string(connection.endpoint.description), "error": .string("\(error)")])
            state.withLock { state in
                state.connection = nil
                state.publisher = nil
            }
            await connection.close()
            try? await Task.sleep(for: configuration.minimumBackoff)
        }
    }

    /// Hands each delivery to the consumer's handler, one at a time, and settles it as the handler says.
    private static func deliver(_ subscription: AMQPConsumer, of consumer: Consumer, on channel: AMQPChannel) async {
        do {
            for try await delivery in subscription.deliveries {
                switch await consumer.handle(delivery) {
                case .ack: try await channel.ack(delivery)
                case .requeue: try await channel.nack(delivery, requeue: true)
                case .deadLetter: try await channel.nack(delivery, requeue: false)
                }
            }
        } catch {
            // The channel or connection closed: unacknowledged deliveries go back to the queue.
        }
    }

    /// Publishes in order and waits for every confirm; one result per message. Waits up to the
    /// request timeout for a connection when there is none (reconnecting).
    public func publishAll(_ messages: [AMQPChannel.Message]) async -> [Result<Void, AMQPError>] {
        do {
            let publisher = try await currentPublisher()
            return await publisher.publishAll(messages)
        } catch {
            let failure = error as? AMQPError ?? .connectionClosed("\(error)")
            return messages.map { _ in .failure(failure) }
        }
    }

    /// Publishes one message and waits for its confirm.
    public func publish(_ body: ByteBuffer, exchange: String, routingKey: String, properties: AMQPProperties = .persistent) async throws {
        try await currentPublisher().publish(body, exchange: exchange, routingKey: routingKey, properties: properties)
    }

    /// Runs `body` on a fresh channel of the current connection (for inspection and tests).
    public func withChannel<T: Sendable>(_ body: (AMQPChannel) async throws -> T) async throws -> T {
        guard let connection = state.withLock({ $0.connection }) else { throw AMQPError.connectionClosed("not connected") }
        let channel = try await connection.openChannel()
        do {
            let result = try await body(channel)
            try? await channel.close()
            return result
        } catch {
            try? await channel.close()
            throw error
        }
    }

    private func currentPublisher() async throws -> AMQPChannel {
        let deadline = ContinuousClock.now + configuration.requestTimeout
        while true {
            if let publisher = state.withLock({ $0.publisher }) { return publisher }
            guard ContinuousClock.now < deadline, !state.withLock({ $0.stopping }) else { throw AMQPError.connectionClosed("no connection to RabbitMQ") }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    /// Stops reconnecting and closes the connection; ``run()`` returns.
    public func shutdown() async {
        let connection = state.withLock { state -> AMQPConnection? in
            state.stopping = true
            return state.connection
        }
        await connection?.close()
    }
}
