import Foundation
import NIOSSL

/// Where mail goes and how to talk to the server.
public struct SMTPConfiguration: Sendable {
    /// How the connection is protected.
    public enum Security: String, Sendable {
        /// Plain text throughout (a sink on the same host, tests).
        case none
        /// STARTTLS when the server offers it, plain text otherwise.
        case startTLSWhenOffered = "opportunistic"
        /// STARTTLS or no mail: a server that does not offer it is an error.
        case startTLS = "required"
        /// TLS from the first byte (`smtps://`, port 465).
        case implicitTLS = "implicit"
    }

    public var host: String
    public var port: Int
    public var security: Security
    /// AUTH PLAIN (or LOGIN when PLAIN is not offered) with these, after TLS when there is TLS.
    public var username: String?
    public var password: String?
    /// The name we give in EHLO.
    public var heloName: String
    /// Trust and protocol settings for TLS; the system's roots and TLS 1.2+ by default.
    public var tls: TLSConfiguration
    public var connectTimeout: Duration
    /// How long one reply may take; the end of DATA gets four times that (RFC 5321 allows minutes).
    public var commandTimeout: Duration
    /// Attempts at one message when the failures are temporary (4xx, connection lost, timeout).
    public var maximumAttempts: Int
    /// The pause after the first temporary failure; it doubles after each.
    public var retryDelay: Duration

    public init(
        host: String,
        port: Int = 25,
        security: Security = .startTLSWhenOffered,
        username: String? = nil,
        password: String? = nil,
        heloName: String = "localhost",
        tls: TLSConfiguration = .makeClientConfiguration(),
        connectTimeout: Duration = .seconds(10),
        commandTimeout: Duration = .seconds(30),
        maximumAttempts: Int = 3,
        retryDelay: Duration = .seconds(1)
    ) {
        self.host = host
        self.port = port
        self.security = security
        self.username = username
        self.password = password
        self.heloName = heloName
        self.tls = tls
        self.connectTimeout = connectTimeout
        self.commandTimeout = commandTimeout
        self.maximumAttempts = max(1, maximumAttempts)
        self.retryDelay = retryDelay
    }

    /// Reads `smtp://[user:password@]host[:port][?tls=opportunistic|required|none]` (STARTTLS
    /// when offered by default, port 587 with credentials, 25 without) or `smtps://…` (TLS
    /// from the start, port 465).
    public init(url: String) throws {
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased(), scheme == "smtp" || scheme == "smtps",
            let host = components.host, !host.isEmpty
        else { throw SMTPError.protocolError("expected smtp://[user:password@]host[:port] or smtps://…") }
        let username = components.user?.removingPercentEncoding
        var security: Security = scheme == "smtps" ? .implicitTLS : .startTLSWhenOffered
        if let mode = components.queryItems?.first(where: { $0.name == "tls" })?.value {
            guard scheme == "smtp", let chosen = Security(rawValue: mode), chosen != .implicitTLS else {
                throw SMTPError.protocolError("tls= must be opportunistic, required or none (smtps:// is always TLS)")
            }
            security = chosen
        }
        let port = components.port ?? (scheme == "smtps" ? 465 : username == nil ? 25 : 587)
        guard (1...65535).contains(port) else { throw SMTPError.protocolError("bad port \(port)") }
        self.init(host: host, port: port, security: security, username: username, password: components.password?.removingPercentEncoding)
    }
}
