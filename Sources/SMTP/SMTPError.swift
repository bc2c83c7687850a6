/// What can go wrong sending mail over SMTP.
public enum SMTPError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No connection (refused, unreachable, TLS handshake failed).
    case connectionFailed(String)
    /// The connection closed in the middle of a conversation.
    case connectionClosed
    /// No reply within the timeout.
    case timeout
    /// The server answered 4xx: try again later.
    case temporary(code: Int, message: String)
    /// The server answered 5xx: this message will not go through as it is.
    case permanent(code: Int, message: String)
    /// The login was refused (535) or no mechanism we speak is offered.
    case authenticationFailed(String)
    /// TLS is required but the server does not offer STARTTLS.
    case tlsUnavailable
    /// Larger than the server's advertised SIZE limit; not sent.
    case messageTooLarge(size: Int, limit: Int)
    /// An address we refuse to put on the wire (line breaks, angle brackets, non-ASCII).
    case invalidAddress(String)
    /// A reply that is not SMTP as RFC 5321 has it.
    case protocolError(String)

    /// Whether sending again later may succeed.
    public var isTransient: Bool {
        switch self {
        case .connectionFailed, .connectionClosed, .timeout, .temporary: true
        default: false
        }
    }

    public var description: String {
        switch self {
        case .connectionFailed(let reason): "cannot connect to the SMTP server: \(reason)"
        case .connectionClosed: "the SMTP connection closed"
        case .timeout: "the SMTP server did not answer in time"
        case .temporary(let code, let message): "the SMTP server deferred the mail: \(code) \(message)"
        case .permanent(let code, let message): "the SMTP server refused the mail: \(code) \(message)"
        case .authenticationFailed(let reason): "SMTP authentication failed: \(reason)"
        case .tlsUnavailable: "the SMTP server does not offer STARTTLS, which is required"
        case .messageTooLarge(let size, let limit): "the mail is \(size) bytes, over the server's limit of \(limit)"
        case .invalidAddress(let address): "invalid mail address: \(address)"
        case .protocolError(let reason): "SMTP protocol error: \(reason)"
        }
    }
}
