import ComptoirContracts
import CoreMetrics
import FluentKit
import Foundation
import SQLKit

/// Applies an event at most once per service: the event id and the handler's effect are written
/// in one transaction, so a redelivered event finds its id and changes nothing.
public struct Inbox: Sendable {
    let database: ServiceDatabase
    let metrics: ServiceMetrics

    public init(database: ServiceDatabase, metrics: ServiceMetrics) {
        self.database = database
        self.metrics = metrics
    }

    /// Runs `effect` in a transaction with the inbox row; returns its result, or `nil` for a duplicate.
    ///
    /// The row is claimed first with `INSERT … ON CONFLICT DO NOTHING`: when two replicas get
    /// the same event at once, the second waits on the first's row lock and then inserts
    /// nothing, so it sees a duplicate instead of failing on the unique key.
    @discardableResult
    public func process<Result: Sendable>(
        _ envelope: EventEnvelope,
        effect: @escaping @Sendable (any Database) async throws -> Result
    ) async throws -> Result? {
        let outcome = try await database.transaction { tx -> Result? in
            let claimed = try await tx.sql.insert(into: InboxMessage.schema)
                .columns("id", "type", "source", "received_at")
                .values(SQLBind(envelope.id), SQLBind(envelope.type), SQLBind(envelope.source.rawValue), SQLBind(Date()))
                .ignoringConflicts(with: "id")
                .returning("id")
                .all()
            guard !claimed.isEmpty else { return nil }
            return try await effect(tx)
        }
        if outcome != nil {
            metrics.counter("events_consumed_total", [("type", envelope.type)]).increment()
            // From the producer's commit to this consumer's: how far behind the saga runs.
            let lag = max(0, Date().timeIntervalSince(envelope.occurredAt))
            metrics.timer("events_delivery_lag_seconds", [("type", envelope.type)]).recordNanoseconds(Int64(min(lag, 1e9) * 1e9))
        } else {
            metrics.counter("events_duplicates_total", [("type", envelope.type)]).increment()
        }
        return outcome
    }
}
