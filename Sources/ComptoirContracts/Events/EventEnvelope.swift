import Foundation

/// The JSON envelope of every event on the bus (ARCHITECTURE.md, "Messaging rules").
public struct EventEnvelope: Codable, Sendable, Equatable {
    /// Unique per event; consumers record it in their inbox to ignore duplicates.
    public var id: UUID
    /// The routing key, such as `auth.user.registered`.
    public var type: String
    public var occurredAt: Date
    /// The service that published it.
    public var source: ServiceID
    public var websiteId: UUID?
    /// W3C trace context of the request that caused the event.
    public var traceparent: String?
    public var data: JSONValue

    enum CodingKeys: String, CodingKey {
        case id, type, source, traceparent, data
        case occurredAt = "occurred_at"
        case websiteId = "website_id"
    }

    public init(
        id: UUID = UUID(),
        type: String,
        occurredAt: Date = Date(),
        source: ServiceID,
        websiteId: UUID? = nil,
        traceparent: String? = nil,
        data: JSONValue
    ) {
        self.id = id
        self.type = type
        self.occurredAt = occurredAt
        self.source = source
        self.websiteId = websiteId
        self.traceparent = traceparent
        self.data = data
    }

    /// Builds an envelope whose `data` is a typed payload.
    public init<Payload: DomainEvent>(_ payload: Payload, source: ServiceID, websiteId: UUID? = nil, traceparent: String? = nil) throws {
        let data = try WireJSON.makeEncoder().encode(payload)
        self.init(
            type: Payload.type,
            source: source,
            websiteId: websiteId,
            traceparent: traceparent,
            data: try JSONDecoder().decode(JSONValue.self, from: data)
        )
    }

    /// Decodes `data` as the payload of its type.
    public func payload<Payload: DomainEvent>(as: Payload.Type = Payload.self) throws -> Payload {
        let data = try JSONEncoder().encode(self.data)
        return try WireJSON.makeDecoder().decode(Payload.self, from: data)
    }

    /// The wire form.
    public func encoded() throws -> Data { try EventEnvelope.encoder.encode(self) }

    public static func decode(_ data: Data) throws -> EventEnvelope { try decoder.decode(EventEnvelope.self, from: data) }

    /// The envelope's own keys are explicit; `data` keeps the payload's snake_case keys verbatim.
    static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = WireJSON.makeEncoder().dateEncodingStrategy
        return encoder
    }

    static var decoder: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = WireJSON.makeDecoder().dateDecodingStrategy
        return decoder
    }
}

/// A typed event payload with its routing key. Each lives in ComptoirContracts,
/// in its owner's file (`ProductsEvents.swift` holds every `products.*` payload).
public protocol DomainEvent: Codable, Sendable {
    static var type: String { get }
}
