import NIOCore

/// A message delivered to a consumer (or fetched with basic.get).
public struct AMQPDelivery: Sendable {
    public var consumerTag: String
    /// Names the message on its channel for ack, nack and reject.
    public var deliveryTag: UInt64
    /// The broker delivered it before (to this or another consumer) without an ack.
    public var redelivered: Bool
    public var exchange: String
    public var routingKey: String
    public var properties: AMQPProperties
    public var body: ByteBuffer
}
