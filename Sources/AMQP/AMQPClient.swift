import Foundation
import Logging
import NIOCore
import NIOPosix
import Synchronization

/// Connections to a RabbitMQ cluster that stay up: ``run()`` connects to one node of the list,
/// declares the topology, starts the consumers, and when a connection drops (a node stopped,
/// a network cut, missed heartbeats) moves on to the next node, declaring and consuming again.
/// Publications go through a channel in confirm mode on a connection of their own.
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
        /// The connection that publishes, and its confirm-mode channel.
        var publishing: AMQPConnection?
        var publisher: AMQPChannel?
        /// The connection the consumers run on, once they all consume.
        var consuming: AMQPConnection?
        var stopping = false
    }

    /// Publishing and consuming use separate connections, as RabbitMQ advises: when a memory or
    /// disk alarm blocks publishers, the broker stops reading their connection, and acks sent on
    /// it would wait too.
    private enum Role: String {
        case publishing = "publish"
        case consuming = "consume"
    }

    public let configuration: AMQPConfiguration
    private let group: any EventLoopGroup
    private let logger: Logger
    private let state = Mutex(State())

    public init(
        configuration: AMQPConfiguration,
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger = Logger(label: "amqp")
    ) {
        self.configuration = configuration
        self.group = group
        self.logger = logger
    }

    /// Adds exchanges, queues and bindings declared on every connection, before consumers start.
    public func declare(_ topology: AMQPTopology) {
        state.withLock { $0.topology.merge(topology) }
    }

    /// Adds a consumer, started on every connection. Add consumers before ``run()``.
    public func addConsumer(_ consumer: Consumer) {
        state.withLock { $0.consumers.append(consumer) }
    }

    /// Whether the client can publish and, when it has consumers, consumes, right now.
    public var isConnected: Bool { state.withLock { $0.publisher != nil && ($0.consumers.isEmpty || $0.consuming != nil) } }

    /// Keeps a publishing connection and, when there are consumers, a consuming connection up
    /// until ``shutdown()`` or cancellation.
    public func run() async {
        let hasConsumers = state.withLock { !$0.consumers.isEmpty }
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.keepConnected(.publishing) }
            if hasConsumers { group.addTask { await self.keepConnected(.consuming) } }
        }
    }

    /// Connects to one node after another: a lost connection moves on to the next node at once,
    /// failed attempts back off (``AMQPConfiguration/minimumBackoff`` doubling up to the maximum).
    private func keepConnected(_ role: Role) async {
        var failures = 0
        var next = Int.random(in: 0..<max(configuration.endpoints.count, 1))
        var configuration = self.configuration
        configuration.connectionName += " (\(role.rawValue))"
        while !Task.isCancelled, !state.withLock({ $0.stopping }) {
            let endpoint = configuration.endpoints[next % configuration.endpoints.count]
            next += 1
            do {
                let connection = try await AMQPConnection.connect(to: endpoint, configuration: configuration, group: group) { reason in
                    if role == .publishing { self.blockedChanged(reason) }
                }
                failures = 0
                switch role {
                case .publishing: await publish(on: connection)
                case .consuming: await consume(on: connection)
                }
            } catch {
                failures += 1
                let backoff = min(configuration.minimumBackoff * (1 << min(failures - 1, 16)), configuration.maximumBackoff)
                logger.warning(
                    "RabbitMQ connection failed; trying the next node",
                    metadata: [
                        "node": .string(endpoint.description), "connection": .string(role.rawValue), "error": .string("\(error)"),
                        "retry_in": .string("\(backoff)"),
                    ]
                )
                try? await Task.sleep(for: backoff)
            }
        }
    }

    private func blockedChanged(_ reason: String?) {
        if let reason {
            logger.warning("RabbitMQ blocks publishers", metadata: ["reason": .string(reason)])
        } else {
            logger.notice("RabbitMQ unblocked publishers")
        }
    }

    /// Uses one connection for publishing until it closes: topology, then a confirm-mode channel.
    private func publish(on connection: AMQPConnection) async {
        do {
            let publisher = try await connection.openChannel()
            try await state.withLock { $0.topology }.declare(on: publisher)
            try await publisher.enableConfirms()
            let stopping = state.withLock { state -> Bool in
                state.publishing = connection
                state.publisher = publisher
                return state.stopping
            }
            if stopping { await connection.close() }
            logger.notice("RabbitMQ connected", metadata: ["node": .string(connection.endpoint.description), "connection": "publish"])
            let reason = await Self.closed(connection)
            state.withLock { state in
                state.publishing = nil
                state.publisher = nil
            }
            connectionEnded(connection, role: .publishing, reason: reason)
        } catch {
            await setupFailed(connection, role: .publishing, error: error)
        }
    }

    /// Uses one connection for consuming until it closes, or until a consumer ends while it is
    /// open (the broker cancelled it, say, because its queue was deleted): then the connection is
    /// closed so that the next one declares the topology and starts every consumer again.
    private func consume(on connection: AMQPConnection) async {
        do {
            let (topology, consumers) = state.withLock { ($0.topology, $0.consumers) }
            let setup = try await connection.openChannel()
            try await topology.declare(on: setup)
            try await setup.close()
            try await withThrowingTaskGroup(of: String.self) { group in
                for consumer in consumers {
                    let channel = try await connection.openChannel()
                    try await channel.setPrefetch(consumer.prefetch)
                    let subscription = try await channel.consume(consumer.queue)
                    group.addTask {
                        await Self.deliver(subscription, of: consumer, on: channel)
                        return "the consumer of \(consumer.queue) ended"
                    }
                }
                group.addTask { await Self.closed(connection) }
                let stopping = state.withLock { state -> Bool in
                    state.consuming = connection
                    return state.stopping
                }
                if stopping { await connection.close() }
                logger.notice(
                    "RabbitMQ connected",
                    metadata: [
                        "node": .string(connection.endpoint.description), "connection": "consume", "consumers": .stringConvertible(consumers.count),
                    ]
                )
                let reason = try await group.next() ?? "closed"
                state.withLock { $0.consuming = nil }
                await connection.close()
                group.cancelAll()
                connectionEnded(connection, role: .consuming, reason: reason)
            }
        } catch {
            state.withLock { $0.consuming = nil }
            await setupFailed(connection, role: .consuming, error: error)
        }
    }

    /// Why `connection` closed, once it has.
    private static func closed(_ connection: AMQPConnection) async -> String {
        do {
            try await connection.closeFuture.get()
            return "closed"
        } catch {
            return "\(error)"
        }
    }

    private func connectionEnded(_ connection: AMQPConnection, role: Role, reason: String) {
        guard !state.withLock({ $0.stopping }) else { return }
        logger.warning(
            "RabbitMQ connection lost; reconnecting",
            metadata: ["node": .string(connection.endpoint.description), "connection": .string(role.rawValue), "reason": .string(reason)]
        )
    }

    private func setupFailed(_ connection: AMQPConnection, role: Role, error: any Error) async {
        logger.warning(
            "RabbitMQ setup failed on a fresh connection",
            metadata: ["node": .string(connection.endpoint.description), "connection": .string(role.rawValue), "error": .string("\(error)")]
        )
        state.withLock { state in
            if role == .publishing {
                state.publishing = nil
                state.publisher = nil
            }
        }
        await connection.close()
        try? await Task.sleep(for: configuration.minimumBackoff)
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

    /// Runs `body` on a fresh channel of the current connection (for inspection and tests).
    public func withChannel<T: Sendable>(_ body: (AMQPChannel) async throws -> T) async throws -> T {
        guard let connection = state.withLock({ $0.publishing }) else { throw AMQPError.connectionClosed("not connected") }
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
            guard ContinuousClock.now < deadline, !state.withLock({ $0.stopping }) else {
                throw AMQPError.connectionClosed("no connection to RabbitMQ")
            }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    /// Stops reconnecting and closes the connections; ``run()`` returns.
    public func shutdown() async {
        let connections = state.withLock { state -> [AMQPConnection] in
            state.stopping = true
            return [state.publishing, state.consuming].compactMap { $0 }
        }
        for connection in connections { await connection.close() }
    }
}
