import ComptoirContracts
import CoreMetrics
import FluentKit
import Foundation
import Logging
import NIOConcurrencyHelpers
import ServiceLifecycle
import Tracing

/// Publishes a service's outbox rows to the bus and marks each sent only after the bus has
/// accepted it. A crash in between loses nothing: the row is published again after the restart
/// and the consumers' inboxes drop the duplicate.
///
/// A row whose publication keeps failing is retried with exponential back-off, then set aside as
/// dead (logged, counted in `outbox_dead_total`) so that one poisoned event cannot block the rest.
/// While the bus is unavailable (``EventBusUnavailable``: no broker connection) rows simply wait:
/// an outage, however long, sets nothing aside.
public struct OutboxRelay: Service {
    let database: ServiceDatabase
    let bus: any EventBus
    let signal: RelaySignal
    let metrics: ServiceMetrics
    let logger: Logger
    let telemetry: Telemetry
    /// `messaging.system` of the publish spans: `rabbitmq` or `in_process`.
    let messagingSystem: String
    var pollInterval: Duration = .milliseconds(200)
    var batchSize = 100
    var maxAttempts = 12
    /// The pause before the first retry; it doubles with each failure, up to 5 minutes.
    public var firstRetryDelay: TimeInterval = 0.5
    /// Crash-test seams (``FaultInjection``); none in production.
    let faults: FaultInjection
    /// When the backlog gauges were last recorded: their three queries run at most once a second,
    /// not on every pass (woken at each commit, a busy relay makes hundreds of passes a second).
    private let backlogRecorded = NIOLockedValueBox<ContinuousClock.Instant?>(nil)

    public init(
        database: ServiceDatabase,
        bus: any EventBus,
        outbox: Outbox,
        metrics: ServiceMetrics,
        logger: Logger,
        telemetry: Telemetry = .off,
        messagingSystem: String = "in_process",
        faults: FaultInjection = .init()
    ) {
        self.faults = faults
        self.telemetry = telemetry
        self.messagingSystem = messagingSystem
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

    /// Publishes the due rows, oldest first, all in flight at once; marks sent exactly those
    /// the bus accepted (confirmed), and backs the others off. Returns how many it looked at.
    @discardableResult
    public func relayBatch() async throws -> Int {
        let now = Date()
        var query = OutboxMessage.query(on: database.fluent)
            .filter(\.$sentAt == nil).filter(\.$deadAt == nil).filter(\.$nextAttemptAt <= now)
        if !faults.heldEventTypes.isEmpty { query = query.filter(\.$type !~ Array(faults.heldEventTypes)) }
        let rows = try await query.sort(\.$createdAt).sort(\.$id).limit(batchSize).all()
        try Task.checkCancellation()
        var envelopes: [EventEnvelope] = []
        var publishable: [OutboxMessage] = []
        var backedOff: [OutboxMessage] = []
        for row in rows {
            do {
                envelopes.append(try EventEnvelope.decode(Data(row.envelope.utf8)))
                publishable.append(row)
            } catch {
                backOff(row, error)
                backedOff.append(row)
            }
        }
        let spans = envelopes.indices.map { startPublishSpan(for: &envelopes[$0]) }
        let results = await bus.publish(envelopes)
        for (span, result) in zip(spans, results) {
            if case .failure(let error) = result { span?.fail(String(describing: error)) }
            span?.end()
        }
        var confirmed: [UUID] = []
        var waiting: [UUID] = []
        var unavailable: EventBusUnavailable?
        for (row, result) in zip(publishable, results) {
            metrics.counter("events_published_total", [("type", row.type)]).increment()
            switch result {
            case .success:
                confirmed.append(try row.requireID())
                metrics.counter("events_confirmed_total", [("type", row.type)]).increment()
            case .failure(let error as EventBusUnavailable):
                waiting.append(try row.requireID())
                unavailable = error
            case .failure(let error):
                backOff(row, error)
                backedOff.append(row)
            }
        }
        if let unavailable {
            // The broker is out of reach: no attempt counts against these rows, however long it lasts.
            logger.warning(
                "event bus unavailable; events wait in the outbox",
                metadata: ["events": .stringConvertible(waiting.count), "error": .string(unavailable.reason)]
            )
            try await OutboxMessage.query(on: database.fluent).filter(\.$id ~~ waiting)
                .set(\.$nextAttemptAt, to: Date().addingTimeInterval(firstRetryDelay)).set(\.$lastError, to: unavailable.description).update()
        }
        if let crash = publishable.first(where: { faults.crashAfterPublishing.contains($0.type) }), try confirmed.contains(crash.requireID()) {
            logger.critical(
                "COMPTOIR_CRASH_AFTER_PUBLISH: killing the process between publish and mark-sent",
                metadata: ["type": .string(crash.type)]
            )
            kill(getpid(), SIGKILL)
        }
        if !confirmed.isEmpty {
            try await OutboxMessage.query(on: database.fluent).filter(\.$id ~~ confirmed).set(\.$sentAt, to: Date()).set(\.$lastError, to: nil)
                .update()
        }
        // After the confirmed rows are marked: a failure here must not publish those again. It
        // is thrown, not dropped, so the pass is logged as failed and these rows' attempts and
        // dead state are not lost (the next pass tries them again).
        for row in backedOff { try await row.update(on: database.fluent) }
        if backlogDue() { try await recordBacklog() }
        return rows.count
    }

    /// A `publish <type>` span, child of and linked to the trace context the row kept; the
    /// envelope goes out carrying the span's own context, which each consumer continues.
    private func startPublishSpan(for envelope: inout EventEnvelope) -> ActiveSpan? {
        guard telemetry.isOn else { return nil }
        let producer = telemetry.context(traceparent: envelope.traceparent)
        let span = telemetry.startSpan(
            "publish \(envelope.type)",
            kind: .producer,
            parent: producer ?? .topLevel,
            links: producer.map { [$0] } ?? [],
            attributes: Telemetry.messagingAttributes(of: envelope, operation: "publish", system: messagingSystem)
        )
        if let span, let traceparent = telemetry.traceparent(of: span.context) { envelope.traceparent = traceparent }
        return span
    }

    private func backlogDue() -> Bool {
        backlogRecorded.withLockedValue { last in
            if let last, ContinuousClock.now - last < .seconds(1) { return false }
            last = .now
            return true
        }
    }

    /// `outbox_pending` (rows not yet sent), `outbox_lag_seconds` (the age of the oldest) and
    /// `outbox_dead` (rows set aside, which only an operator clears).
    private func recordBacklog() async throws {
        let unsent = OutboxMessage.query(on: database.fluent).filter(\.$sentAt == nil).filter(\.$deadAt == nil)
        metrics.gauge("outbox_pending").record(try await unsent.count())
        metrics.gauge("outbox_dead").record(try await OutboxMessage.query(on: database.fluent).filter(\.$deadAt != nil).count())
        let oldest = try await unsent.sort(\.$createdAt).first()?.createdAt
        metrics.gauge("outbox_lag_seconds").record(oldest.map { max(0, Date().timeIntervalSince($0)) } ?? 0)
    }

    /// Backs a row off after a failed publication, or sets it aside after too many; the caller
    /// saves the row.
    private func backOff(_ row: OutboxMessage, _ error: any Error) {
        row.attempts += 1
        row.lastError = String(String(reflecting: error).prefix(1000))
        let backoff = min(firstRetryDelay * pow(2, Double(row.attempts - 1)), 300)
        row.nextAttemptAt = Date().addingTimeInterval(backoff)
        if row.attempts >= maxAttempts {
            row.deadAt = Date()
            metrics.counter("outbox_dead_total", [("type", row.type)]).increment()
            logger.error(
                "outbox event set aside after repeated failures",
                metadata: ["event_id": .string(row.id?.uuidString ?? ""), "type": .string(row.type), "error": .string(row.lastError ?? "")]
            )
        } else {
            logger.warning(
                "outbox event publication failed; will retry",
                metadata: [
                    "event_id": .string(row.id?.uuidString ?? ""), "type": .string(row.type), "attempt": .stringConvertible(row.attempts),
                    "error": .string(row.lastError ?? ""),
                ]
            )
        }
    }
}
