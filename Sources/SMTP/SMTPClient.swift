import Foundation
import Logging
import NIOCore
import NIOPosix

/// Sends mail through one SMTP server (RFC 5321): EHLO, STARTTLS (RFC 3207), AUTH PLAIN or
/// LOGIN (RFC 4954), SIZE (RFC 1870), then MAIL, RCPT, DATA with dot-stuffing. A connection
/// per message keeps it simple and stateless; temporary failures (4xx, a lost connection, a
/// timeout) are retried with back-off, permanent ones (5xx) are not.
public struct SMTPClient: Sendable {
    public let configuration: SMTPConfiguration
    private let group: any EventLoopGroup
    private let logger: Logger

    public init(
        configuration: SMTPConfiguration,
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger = Logger(label: "smtp")
    ) {
        self.configuration = configuration
        self.group = group
        self.logger = logger
    }

    /// Sends `message` (RFC 5322 text, lines ending in CRLF or LF) from `sender` to `recipients`
    /// (bare addresses), retrying temporary failures.
    public func send(_ message: String, from sender: String, to recipients: [String]) async throws {
        for address in [sender] + recipients { try Self.check(address) }
        guard !recipients.isEmpty else { throw SMTPError.invalidAddress("no recipient") }
        let data = Self.dotStuffed(message)
        var attempt = 1
        var delay = configuration.retryDelay
        while true {
            do {
                try await deliver(data, from: sender, to: recipients)
                return
            } catch let error as SMTPError where error.isTransient && attempt < configuration.maximumAttempts {
                logger.warning(
                    "mail deferred; retrying",
                    metadata: ["attempt": .stringConvertible(attempt), "retry_in": .string("\(delay)"), "error": .string("\(error)")]
                )
                try await Task.sleep(for: delay)
                attempt += 1
                delay *= 2
            }
        }
    }

    /// Sends a ``MIMEMessage`` to its `To` addresses, from its `From` address.
    public func send(_ message: MIMEMessage) async throws {
        try await send(message.rendered(), from: MIMEMessage.address(message.from), to: message.to.map(MIMEMessage.address))
    }

    /// Connects, says EHLO and, with TLS, upgrades; for a readiness check. Sends no mail.
    public func checkConnection() async throws {
        let connection = try await SMTPConnection.connect(configuration, group: group)
        do {
            _ = try await hello(connection)
            _ = try? await connection.command("QUIT")
        } catch {
            await connection.close()
            throw error
        }
        await connection.close()
    }

    private func deliver(_ data: ByteBuffer, from sender: String, to recipients: [String]) async throws {
        let connection = try await SMTPConnection.connect(configuration, group: group)
        do {
            let extensions = try await hello(connection)
            var mailFrom = "MAIL FROM:<\(sender)>"
            if let limit = extensions.size {
                // The stuffed body less the final ".\r\n" is what the server counts.
                let size = data.readableBytes - 3
                if limit > 0, size > limit { throw SMTPError.messageTooLarge(size: size, limit: limit) }
                mailFrom += " SIZE=\(size)"
            }
            try await connection.command(mailFrom).expect(250)
            for recipient in recipients { try await connection.command("RCPT TO:<\(recipient)>").expect(250, 251) }
            try await connection.command("DATA").expect(354)
            try await connection.write(data, then: connection.commandTimeout * 4).expect(250)
            _ = try? await connection.command("QUIT")
            await connection.close()
        } catch {
            await connection.close()
            throw error
        }
    }

    /// What EHLO (after STARTTLS when there is TLS) says the server supports.
    private struct Extensions {
        var startTLS = false
        var size: Int?
        var authMechanisms: Set<String> = []

        init(_ reply: SMTPReply) {
            for line in reply.lines.dropFirst() {
                let words = line.uppercased().split(separator: " ").map(String.init)
                switch words.first {
                case "STARTTLS": startTLS = true
                case "SIZE": size = words.count > 1 ? Int(words[1]) ?? 0 : 0
                case "AUTH": authMechanisms.formUnion(words.dropFirst())
                default: break
                }
            }
        }
    }

    /// EHLO, then STARTTLS and EHLO again as configured, then AUTH when there are credentials.
    private func hello(_ connection: SMTPConnection) async throws -> Extensions {
        var extensions = try await ehlo(connection)
        switch configuration.security {
        case .startTLS, .startTLSWhenOffered:
            if extensions.startTLS {
                try await connection.command("STARTTLS").expect(220)
                try await connection.startTLS(configuration)
                extensions = try await ehlo(connection)
            } else if configuration.security == .startTLS {
                throw SMTPError.tlsUnavailable
            }
        case .none, .implicitTLS:
            break
        }
        if let username = configuration.username {
            try await authenticate(connection, username: username, password: configuration.password ?? "", mechanisms: extensions.authMechanisms)
        }
        return extensions
    }

    private func ehlo(_ connection: SMTPConnection) async throws -> Extensions {
        let reply = try await connection.command("EHLO \(configuration.heloName)")
        try reply.expect(250)
        return Extensions(reply)
    }

    private func authenticate(_ connection: SMTPConnection, username: String, password: String, mechanisms: Set<String>) async throws {
        func base64(_ text: String) -> String { Data(text.utf8).base64EncodedString() }
        let reply: SMTPReply
        if mechanisms.contains("PLAIN") {
            reply = try await connection.command("AUTH PLAIN " + base64("\0\(username)\0\(password)"))
        } else if mechanisms.contains("LOGIN") {
            try await connection.command("AUTH LOGIN").expect(334)
            try await connection.command(base64(username)).expect(334)
            reply = try await connection.command(base64(password))
        } else {
            throw SMTPError.authenticationFailed("the server offers no mechanism we speak (PLAIN, LOGIN): \(mechanisms.sorted())")
        }
        switch reply.code {
        case 235: return
        case 400..<500: throw SMTPError.temporary(code: reply.code, message: reply.message)
        default: throw SMTPError.authenticationFailed("\(reply.code) \(reply.message)")
        }
    }

    /// The DATA payload: line endings made CRLF, every line starting with "." given one more
    /// (RFC 5321, 4.5.2), and the final "." line.
    static func dotStuffed(_ message: String) -> ByteBuffer {
        var buffer = ByteBuffer()
        var lines = message.replacingOccurrences(of: "\r\n", with: "\n").split(separator: "\n", omittingEmptySubsequences: false)
        if lines.last == "" { lines.removeLast() }
        for line in lines {
            if line.hasPrefix(".") { buffer.writeString(".") }
            buffer.writeString(String(line))
            buffer.writeString("\r\n")
        }
        buffer.writeString(".\r\n")
        return buffer
    }

    /// Refuses what could break the command line or needs SMTPUTF8 (which we do not speak).
    static func check(_ address: String) throws {
        guard !address.isEmpty, address.count <= 254, address.allSatisfy({ $0.isASCII && !$0.isNewline && $0 != "<" && $0 != ">" && $0 != " " }),
            address.contains("@")
        else { throw SMTPError.invalidAddress(address) }
    }
}
