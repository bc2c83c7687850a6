import FluentKit
import Foundation

/// Applies an event at most once per service: the event id and the handler's effect are written
/// in one transaction, so a redelivered event finds its id and changes nothing.
public struct Inbox: Sendable {
    let database: ServiceDatabase
    let metrics: ServiceMetrics

    public init(database: ServiceDatabase, metrics: ServiceMetrics) {
        self.database = database
        self.metrics = metrics
    }

    /// Runs `effect` in a transaction with the inbox row; returns `false` for a duplicate.
    @discardableResult
    public func process(_ envelope: EventEnvelope, effect: @escaping @Sendable (any Database) async throws -> Void) async throws -> Bool {
        let applied = try await database.fluent.transaction { tx -> Bool in
            if try await InboxMessage.find(envelope.id, on: tx) != nil { return false }
            try await InboxMessage(envelope: envelope).create(on: tx)
            try await effect(tx)
            return true
        }
        if applied {
            metrics.counter("events_consumed_total", [("type", envelope.type)]).increment()
        } else {
            metrics.counter("events_duplicates_total", [("type", envelope.type)]).increment()
        }
        return applied
    }
}
