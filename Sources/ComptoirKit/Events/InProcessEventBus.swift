import ComptoirContracts
import NIOConcurrencyHelpers

/// The embedded-mode bus: `publish` calls each matching subscription in turn and returns when
/// all have committed; any failure makes the relay retry the event later (the consumers' inboxes
/// make the retry harmless for those that had already succeeded).
public final class InProcessEventBus: EventBus {
    private let subscriptions = NIOLockedValueBox<[EventSubscription]>([])

    public init() {}

    public func subscribe(_ subscription: EventSubscription) async throws {
        subscriptions.withLockedValue { $0.append(subscription) }
    }

    public func publish(_ envelope: EventEnvelope) async throws {
        let matching = subscriptions.withLockedValue { $0 }.filter { $0.matches(envelope.type) }
        for subscription in matching {
            try await subscription.handler(envelope)
        }
    }
}
