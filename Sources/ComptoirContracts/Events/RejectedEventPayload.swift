/// Thrown by an event handler for a payload it cannot act on (a quantity out of range, a price no
/// product can have): the event is retried and then set aside as dead (the outbox relay in
/// embedded mode, the dead-letter queue on RabbitMQ), where it can be looked at, and the process
/// goes on instead of trapping on the value.
public struct RejectedEventPayload: Error, CustomStringConvertible, Sendable {
    /// The event type, such as `orders.order.placed`.
    public var type: String
    /// What is wrong with the payload.
    public var reason: String

    public init(_ type: String, _ reason: String) {
        self.type = type
        self.reason = reason
    }

    public var description: String { "\(type) payload rejected: \(reason)" }
}
