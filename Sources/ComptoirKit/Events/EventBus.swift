import ComptoirContracts

/// Carries events between services: in-process in embedded mode, RabbitMQ in cluster mode.
///
/// `publish` returns only once the event is safely accepted (every in-process consumer has
/// committed, or the broker has confirmed); the outbox relay marks a row sent only then.
public protocol EventBus: Sendable {
    /// Delivers `envelope` to every subscription whose bindings match its type.
    func publish(_ envelope: EventEnvelope) async throws
    /// Publishes several events in order and says, per event, whether it was accepted; with
    /// RabbitMQ they are all in flight at once, each awaiting its own confirm.
    func publish(_ envelopes: [EventEnvelope]) async -> [Result<Void, any Error>]
    /// Registers a consumer. Subscriptions are made before any relay starts, so nothing published
    /// at start-up (say, events left over from before a crash) misses its consumer.
    func subscribe(_ subscription: EventSubscription) async throws
}

extension EventBus {
    /// One after the other; a failure does not stop the next.
    public func publish(_ envelopes: [EventEnvelope]) async -> [Result<Void, any Error>] {
        var results: [Result<Void, any Error>] = []
        for envelope in envelopes {
            do {
                try await publish(envelope)
                results.append(.success(()))
            } catch {
                results.append(.failure(error))
            }
        }
        return results
    }
}

/// A service's interest in events: routing-key patterns (`*` one word, `#` any words) and the
/// handler that applies one event (already wrapped in the service's inbox).
public struct EventSubscription: Sendable {
    public var service: ServiceID
    public var bindings: [String]
    /// The consuming service's metrics, where a bus counts redeliveries and dead letters.
    public var metrics: ServiceMetrics?
    public var handler: @Sendable (EventEnvelope) async throws -> Void

    public init(
        service: ServiceID,
        bindings: [String],
        metrics: ServiceMetrics? = nil,
        handler: @escaping @Sendable (EventEnvelope) async throws -> Void
    ) {
        self.service = service
        self.bindings = bindings
        self.metrics = metrics
        self.handler = handler
    }

    /// Whether any binding matches `routingKey`, with AMQP topic-exchange rules.
    public func matches(_ routingKey: String) -> Bool {
        bindings.contains {
            Self.topic(
                $0.split(separator: ".", omittingEmptySubsequences: false)[...],
                matches: routingKey.split(separator: ".", omittingEmptySubsequences: false)[...]
            )
        }
    }

    static func topic(_ pattern: ArraySlice<Substring>, matches words: ArraySlice<Substring>) -> Bool {
        guard let head = pattern.first else { return words.isEmpty }
        switch head {
        case "#":
            let rest = pattern.dropFirst()
            for skip in 0...words.count where topic(rest, matches: words.dropFirst(skip)) { return true }
            return false
        case "*":
            return !words.isEmpty && topic(pattern.dropFirst(), matches: words.dropFirst())
        default:
            return words.first == head && topic(pattern.dropFirst(), matches: words.dropFirst())
        }
    }
}

/// Thrown by a bus that cannot take events right now (no broker connection, no answer in
/// time): the outbox relay keeps the rows and tries again soon, without counting an attempt
/// against them, so a long broker outage sets nothing aside.
public struct EventBusUnavailable: Error, CustomStringConvertible {
    public var reason: String

    public init(_ reason: String) {
        self.reason = reason
    }

    public var description: String { "the event bus is unavailable: \(reason)" }
}
