import ComptoirContracts
import FluentKit
import Foundation

/// Writes a service's events into its outbox table, inside the caller's transaction.
///
/// ```swift
/// try await database.fluent.transaction { tx in
///     try await user.create(on: tx)
///     try await outbox.append(UserRegistered(...), on: tx)
/// }
/// ```
public struct Outbox: Sendable {
    public let service: ServiceID
    let signal: RelaySignal

    public init(service: ServiceID, signal: RelaySignal = RelaySignal()) {
        self.service = service
        self.signal = signal
    }

    /// Appends `payload` as a new event; it is published once the transaction commits.
    @discardableResult
    public func append<Payload: DomainEvent>(
        _ payload: Payload,
        websiteId: UUID? = nil,
        traceparent: String? = nil,
        on database: any Database
    ) async throws -> EventEnvelope {
        let envelope = try EventEnvelope(payload, source: service, websiteId: websiteId, traceparent: traceparent)
        try await append(envelope, on: database)
        return envelope
    }

    public func append(_ envelope: EventEnvelope, on database: any Database) async throws {
        try await OutboxMessage(envelope: envelope).create(on: database)
        // Wakes the relay early; if the transaction has not committed yet the next poll finds it.
        signal.notify()
    }
}
