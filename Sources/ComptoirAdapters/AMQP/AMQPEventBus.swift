import AMQP
import ComptoirContracts
import ComptoirKit
import CoreMetrics
import Foundation
import Logging
import NIOCore
import NIOFoundationCompat
import ServiceLifecycle
import Synchronization

/// The event bus in cluster mode: RabbitMQ, through our ``AMQPClient``.
///
/// Events are published persistent, in order, on a confirm-mode channel to the topic exchange
/// `comptoir.events` with their type as routing key; the batch `publish` returns
/// per event once the broker confirmed it, and the outbox relay marks only those rows sent.
/// Each consuming service has one durable quorum queue `<service>.events` bound to the types
/// it handles (its replicas compete for it), dead-lettering to `<service>.events.dlq` through
/// `comptoir.events.dlx`. A delivery whose handler keeps failing is retried in place with
/// back-off, then dead-lettered; quorum queues' delivery limit catches a message that crashes
/// its consumer over and over.
public final class AMQPEventBus: EventBus {
    let client: AMQPClient
    /// Put before every exchange and queue name (`COMPTOIR_AMQP_NAMESPACE`), so platforms can
    /// share a broker (tests do); empty in production, where a virtual host separates platforms.
    let namespace: String
    private let logger: Logger
    /// Pauses between attempts at one delivery before it is dead-lettered.
    let retryDelays: [Duration]
    private let subscriptions = Mutex<[ServiceID: [EventSubscription]]>([:])

    public init(
        client: AMQPClient,
        namespace: String = "",
        logger: Logger,
        retryDelays: [Duration] = [.milliseconds(200), .seconds(1), .seconds(5)]
    ) {
        self.client = client
        self.namespace = namespace.isEmpty ? "" : namespace + "."
        self.logger = logger
        self.retryDelays = retryDelays
        client.declare(AMQPTopology(exchanges: [.init(exchange), .init(deadLetterExchange, type: "direct")]))
    }

    /// The topic exchange every event goes to: `comptoir.events`.
    public var exchange: String { namespace + "comptoir.events" }
    /// Where refused deliveries go, routed to their service's dead-letter queue.
    public var deadLetterExchange: String { namespace + "comptoir.events.dlx" }
    /// The queue a service consumes: `<service>.events`.
    public func queue(of service: ServiceID) -> String { namespace + "\(service.rawValue).events" }
    /// Where a service's failed events end: `<service>.events.dlq`.
    public func deadLetterQueue(of service: ServiceID) -> String { namespace + "\(service.rawValue).events.dlq" }

    public func publish(_ envelope: EventEnvelope) async throws {
        try await publish([envelope])[0].get()
    }

    /// An envelope that cannot be encoded fails on its own and is not sent: an empty body would
    /// only be dead-lettered by every consumer.
    public func publish(_ envelopes: [EventEnvelope]) async -> [Result<Void, any Error>] {
        var messages: [AMQPChannel.Message] = []
        let encodings = envelopes.map { envelope in
            Result<Void, any Error> {
                let properties = AMQPProperties(
                    contentType: "application/json",
                    deliveryMode: 2,
                    messageId: envelope.id.uuidString.lowercased(),
                    timestamp: envelope.occurredAt,
                    type: envelope.type,
                    appId: envelope.source.rawValue
                )
                let body = ByteBuffer(bytes: try envelope.encoded())
                messages.append(AMQPChannel.Message(body: body, exchange: exchange, routingKey: envelope.type, properties: properties))
            }
        }
        var published = await client.publishAll(messages).makeIterator()
        return encodings.map { encoding in
            encoding.flatMap {
                guard let result = published.next() else { return .failure(EventBusUnavailable("the broker gave no answer")) }
                return result.mapError { error -> any Error in error.isTransient ? EventBusUnavailable(error.description) : error }
            }
        }
    }

    /// Declares the service's queues and bindings and, for its first subscription, its consumer.
    /// Call before the bus runs (services subscribe while they are set up).
    public func subscribe(_ subscription: EventSubscription) async throws {
        let service = subscription.service
        let queue = queue(of: service)
        let deadLetters = deadLetterQueue(of: service)
        client.declare(
            AMQPTopology(
                queues: [
                    .quorum(queue, deadLetterExchange: deadLetterExchange, deadLetterRoutingKey: deadLetters, deliveryLimit: 20),
                    .quorum(deadLetters),
                ],
                bindings: [AMQPTopology.Binding(queue: deadLetters, exchange: deadLetterExchange, routingKey: deadLetters)]
                    + subscription.bindings.map { AMQPTopology.Binding(queue: queue, exchange: exchange, routingKey: $0) }
            )
        )
        let isFirst = subscriptions.withLock { all -> Bool in
            let isFirst = all[service] == nil
            all[service, default: []].append(subscription)
            return isFirst
        }
        if isFirst {
            client.addConsumer(AMQPClient.Consumer(queue: queue, prefetch: 16) { delivery in await self.handle(delivery, for: service) })
        }
    }

    /// Runs every matching subscription of `service` on the delivery, retrying with back-off.
    private func handle(_ delivery: AMQPDelivery, for service: ServiceID) async -> AMQPClient.Disposition {
        let matching = subscriptions.withLock { $0[service] ?? [] }.filter { $0.matches(delivery.routingKey) }
        let metrics = matching.first?.metrics
        let type = delivery.routingKey
        if delivery.redelivered { metrics?.counter("events_redelivered_total", [("type", type)]).increment() }
        guard let envelope = try? EventEnvelope.decode(Data(buffer: delivery.body)) else {
            logger.error("undecodable event dead-lettered", metadata: ["service": .string(service.rawValue), "type": .string(type)])
            metrics?.counter("events_dead_lettered_total", [("type", type)]).increment()
            return .deadLetter
        }
        var attempt = 0
        while true {
            do {
                for subscription in matching { try await subscription.handler(envelope) }
                return .ack
            } catch {
                metrics?.counter("events_handler_failures_total", [("type", type)]).increment()
                guard attempt < retryDelays.count else {
                    logger.error(
                        "event dead-lettered after repeated failures",
                        metadata: [
                            "service": .string(service.rawValue), "event_id": .string(envelope.id.uuidString), "type": .string(type),
                            "error": .string("\(error)"),
                        ]
                    )
                    metrics?.counter("events_dead_lettered_total", [("type", type)]).increment()
                    return .deadLetter
                }
                logger.warning(
                    "event handler failed; retrying",
                    metadata: [
                        "service": .string(service.rawValue), "event_id": .string(envelope.id.uuidString), "type": .string(type),
                        "attempt": .stringConvertible(attempt + 1), "error": .string("\(error)"),
                    ]
                )
                try? await Task.sleep(for: retryDelays[attempt])
                attempt += 1
            }
        }
    }

    /// Fails while there is no connection to the broker; for `/health/ready`.
    public func checkConnected() throws {
        guard client.isConnected else { throw AMQPError.connectionClosed("not connected to RabbitMQ") }
    }

    /// How many messages wait in each service's queue and dead-letter queue.
    public func queueDepths() async throws -> [String: UInt32] {
        let services = subscriptions.withLock { Array($0.keys) }
        return try await client.withChannel { channel in
            var depths: [String: UInt32] = [:]
            for service in services {
                for name in [queue(of: service), deadLetterQueue(of: service)] {
                    depths[name] = try await channel.declareQueue(name, passive: true).messages
                }
            }
            return depths
        }
    }

    /// Deletes the queues and exchanges of this platform's namespace (tests, decommissioning).
    public func deleteTopology() async throws {
        let services = subscriptions.withLock { Array($0.keys) }
        try await client.withChannel { channel in
            for service in services {
                try await channel.deleteQueue(queue(of: service))
                try await channel.deleteQueue(deadLetterQueue(of: service))
            }
            try await channel.deleteExchange(exchange)
            try await channel.deleteExchange(deadLetterExchange)
        }
    }

    /// The lifecycle service that keeps the connection: start it before the outbox relays and
    /// stop it after them (and before the databases close).
    public var service: some Service { Connection(client: client) }

    struct Connection: Service {
        let client: AMQPClient

        func run() async throws {
            await withGracefulShutdownHandler {
                await client.run()
            } onGracefulShutdown: {
                Task { await client.shutdown() }
            }
        }
    }
}
