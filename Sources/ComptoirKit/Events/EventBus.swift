/// Carries events between services: in-process in embedded mode, RabbitMQ in cluster mode.
///
/// `publish` returns only once the event is safely accepted (every in-process consumer has
/// committed, or the broker has confirmed); the outbox relay marks a row sent only then.
public protocol EventBus: Sendable {
    /// Delivers `envelope` to every subscription whose bindings match its type.
    func publish(_ envelope: EventEnvelope) async throws
    /// Registers a consumer. Subscriptions are made before any relay starts, so nothing published
    /// at start-up (say, events left over from before a crash) misses its consumer.
    func subscribe(_ subscription: EventSubscription) async throws
}

/// A service's interest in events: routing-key patterns (`*` one word, `#` any words) and the
/// handler that applies one event (already wrapped in the service's inbox).
public struct EventSubscription: Sendable {
    public var service: ServiceID
    public var bindings: [String]
    public var handler: @Sendable (EventEnvelope) async throws -> Void

    public init(service: ServiceID, bindings: [String], handler: @escaping @Sendable (EventEnvelope) async throws -> Void) {
        self.service = service
        self.bindings = bindings
        self.handler = handler
    }

    /// Whether any binding matches `routingKey`, with AMQP topic-exchange rules.
    public func matches(_ routingKey: String) -> Bool {
        bindings.contains { Self.topic($0.split(separator: ".", omittingEmptySubsequences: false)[...], matches: routingKey.split(separator: ".", omittingEmptySubsequences: false)[...]) }
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
