/// What can go wrong talking to RabbitMQ.
public enum AMQPError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No node of the list accepted a connection (refused, unreachable, handshake failed).
    case connectionFailed(String)
    /// The login was refused (wrong user or password, or no access to the virtual host).
    case authenticationFailed(String)
    /// The connection closed; what was in flight may or may not have reached the broker.
    case connectionClosed(String)
    /// The broker closed the channel: a reply code (404 not found, 406 precondition failed, …) and text.
    case channelClosed(code: UInt16, text: String)
    /// The broker answered a publication with basic.nack: it could not take responsibility for it.
    case publishNacked
    /// A mandatory publication could not be routed to any queue (basic.return).
    case unroutable(String)
    /// No answer within the timeout.
    case timeout
    /// The broker sent something that is not AMQP 0-9-1 as we know it.
    case protocolError(String)
    /// A frame ended early.
    case truncated
    /// The `amqp://` URL cannot be used.
    case invalidURL(String)

    /// Whether the broker was out of reach (no connection, no answer) rather than refusing:
    /// trying again later, perhaps on another node, may succeed.
    public var isTransient: Bool {
        switch self {
        case .connectionFailed, .connectionClosed, .timeout: true
        default: false
        }
    }

    public var description: String {
        switch self {
        case .connectionFailed(let reason): "cannot connect to RabbitMQ: \(reason)"
        case .authenticationFailed(let reason): "RabbitMQ refused the login: \(reason)"
        case .connectionClosed(let reason): "the RabbitMQ connection closed: \(reason)"
        case .channelClosed(let code, let text): "RabbitMQ closed the channel: \(code) \(text)"
        case .publishNacked: "RabbitMQ refused the message (basic.nack)"
        case .unroutable(let key): "no queue is bound for routing key \(key)"
        case .timeout: "RabbitMQ did not answer in time"
        case .protocolError(let reason): "AMQP protocol error: \(reason)"
        case .truncated: "AMQP frame ended early"
        case .invalidURL(let reason): "invalid AMQP URL: \(reason)"
        }
    }
}
