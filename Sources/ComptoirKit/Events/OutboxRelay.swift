import FluentKit
import Foundation
import Logging
import ServiceLifecycle

/// Publishes a service's outbox rows to the bus and marks each sent only after the bus has
/// accepted it. A crash in between loses nothing: the row is published again after the restart
/// and the consumers' inboxes drop the duplicate.
///
/// A row whose publication keeps failing is retried with exponential back-off, then set aside as
/// dead (logged, counted in `outbox_dead_total`) so that one poisoned event cannot block the rest.
public struct OutboxRelay: Service {
    let database: ServiceDatabase
    let bus: any EventBus
    let signal: RelaySignal
    let metrics: ServiceMetrics
    let logger: Logger
    var pollInterval: Duration = .milliseconds(200)
    var batchSize = 100
    var maxAttempts = 12
    /// The pause before the first retry; it doubles with each failure, up to 5 minutes.
    public var firstRetryDelay: TimeInterval = 0.5
    /// Event types left unpublished (``ComptoirConfiguration/heldEventTypes``, crash tests only).
    let heldTypes: Set<String>

    public init(database: ServiceDatabase, bus: any EventBus, outbox: Outbox, metrics: ServiceMetrics, logger: Logger, heldTypes: Set<String> = []) {
        self.heldTypes = heldTypes
        self.database = database
        self.bus = bus
        self.signal = outbox.signal
        self.metrics = metrics
        self.logger = logger
    }

    public func run() async throws {
        await PollingLoop.run(signal: signal, interval: pollInterval, logger: logger, name: "outbox relay") {
            try await relayBatch() == batchSize
        }
    }

    /// Publishes the due rows, oldest first; returns how many it looked at.
    @discardableResult
    public func relayBatch() async throws -> Int {
        let now = Date()
        var query = OutboxMessage.query(on: database.fluent)
            .filter(\.$sentAt == nil).filter(\.$deadAt == nil).filter(\.$nextAttemptAt <= now)
        if !heldTypes.isEmpty { query = query.filter(\.$type !~ Array(heldTypes)) }
        let rows = try await query.sort(\.$createdAt).sort(\.$id).limit(batchSize).all()
        for row in rows {
            try Task.checkCancellation()
            await relay(row)
        }
        let pending = try await OutboxMessage.query(on: database.fluent).filter(\.$sentAt == nil).filter(\.$deadAt == nil).count()
        metrics.gauge("outbox_pending").record(pending)
        return rows.count
    }

    private func relay(_ row: OutboxMessage) async {
        do {
            let envelope = try EventEnvelope.decode(Data(row.envelope.utf8))
            try await bus.publish(envelope)
            row.sentAt = Date()
            row.lastError = nil
            try await row.update(on: database.fluent)
            metrics.counter("events_published_total", [("type", row.type)]).increment()
        } catch {
            row.attempts += 1
            row.lastError = String(String(reflecting: error).prefix(1000))
            let backoff = min(firstRetryDelay * pow(2, Double(row.attempts - 1)), 300)
            row.nextAttemptAt = Date().addingTimeInterval(backoff)
            if row.attempts >= maxAttempts {
                row.deadAt = Date()
                metrics.counter("outbox_dead_total", [("type", row.type)]).increment()
                logger.error(
                    "outbox event set aside after repeated failures",
                    metadata: ["event_id": .string(row.id?.uuidString ?? ""), "type": .string(row.type), "error": .string(row.lastError ?? "")])
            } else {
                logger.warning(
                    "outbox event publication failed; will retry",
                    metadata: [
                        "event_id": .string(row.id?.uuidString ?? ""), "type": .string(row.type), "attempt": .stringConvertible(row.attempts),
                        "error": .string(row.lastError ?? ""),
                    ])
            }
            try? await row.update(on: database.fluent)
        }
    }
}
