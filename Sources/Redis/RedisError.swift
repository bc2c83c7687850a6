/// What can go wrong talking to Redis.
public enum RedisError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The server answered with an error reply, such as `NOSCRIPT No matching script` or
    /// `WRONGTYPE Operation against a key holding the wrong kind of value`.
    case server(code: String, message: String)
    /// No connection could be opened (refused, unreachable, handshake or AUTH failed).
    case connectionFailed(String)
    /// The connection closed before the reply arrived; the command may or may not have run.
    case connectionClosed
    /// No reply within the command timeout; the connection is closed, as later replies would be out of step.
    case timeout
    /// The pool is waiting before it tries to reconnect; fail fast instead of queueing behind a dead server.
    case unavailable(retryIn: Duration)
    /// The server sent bytes that are not RESP.
    case protocolError(String)
    /// A reply of another type than the command promises.
    case unexpectedReply(RESPValue)
    /// The `redis://` URL cannot be used.
    case invalidURL(String)

    /// An error reply's text split into its code (`ERR`, `NOSCRIPT`, `WRONGTYPE`, …) and message.
    static func fromReply(_ text: String) -> RedisError {
        let parts = text.split(separator: " ", maxSplits: 1)
        guard let code = parts.first, code.allSatisfy({ $0.isUppercase || $0 == "_" }) else { return .server(code: "ERR", message: text) }
        return .server(code: String(code), message: parts.count > 1 ? String(parts[1]) : "")
    }

    public var description: String {
        switch self {
        case .server(let code, let message): "Redis error \(code): \(message)"
        case .connectionFailed(let reason): "cannot connect to Redis: \(reason)"
        case .connectionClosed: "the Redis connection closed before the reply"
        case .timeout: "Redis did not answer in time"
        case .unavailable(let retryIn): "Redis is unavailable; next connection attempt in \(retryIn)"
        case .protocolError(let reason): "Redis protocol error: \(reason)"
        case .unexpectedReply(let value): "unexpected Redis reply: \(value)"
        case .invalidURL(let reason): "invalid Redis URL: \(reason)"
        }
    }
}
