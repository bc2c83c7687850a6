import ComptoirContracts
import FluentKit
import Foundation

/// Writes a service's events into its outbox table, inside the caller's transaction.
///
/// ```swift
/// try await environment.database.transaction { tx in
///     try await user.create(on: tx)
///     try await outbox.append(UserRegistered(...), on: tx)
/// }
/// ```
public struct Outbox: Sendable {
    public let service: ServiceID
    let signal: RelaySignal
    let telemetry: Telemetry

    public init(service: ServiceID, signal: RelaySignal = RelaySignal(), telemetry: Telemetry = .off) {
        self.service = service
        self.signal = signal
        self.telemetry = telemetry
    }

    /// Appends `payload` as a new event; it is published once the transaction commits.
    /// The row keeps the trace context of the span current here (the request's, or the event
    /// handler's) when tracing is on, else `traceparent` as the caller received it.
    @discardableResult
    public func append<Payload: DomainEvent>(
        _ payload: Payload,
        websiteId: UUID? = nil,
        traceparent: String? = nil,
        on database: any Database
    ) async throws -> EventEnvelope {
        let envelope = try EventEnvelope(payload, source: service, websiteId: websiteId, traceparent: telemetry.traceparent() ?? traceparent)
        try await append(envelope, on: database)
        return envelope
    }

    public func append(_ envelope: EventEnvelope, on database: any Database) async throws {
        try await OutboxMessage(envelope: envelope).create(on: database)
        signal.notifyAfterCommit()
    }
}
