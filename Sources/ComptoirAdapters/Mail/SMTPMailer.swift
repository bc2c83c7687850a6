import ComptoirKit
import Foundation
import Logging
import SMTP
import Synchronization

/// The mailer in cluster mode: every message through one SMTP server (``SMTPClient``), which
/// retries temporary failures itself; what still fails goes back to the mail queue's own retries.
public final class SMTPMailer: Mailer {
    let client: SMTPClient
    /// The last readiness answer and when it was found: probes come every few seconds from every
    /// replica, and a connection with a TLS handshake each time would be a load of its own.
    private let lastCheck = Mutex<(at: ContinuousClock.Instant, error: SMTPError?)?>(nil)
    static let checkInterval: Duration = .seconds(30)

    public init(configuration: SMTPConfiguration, logger: Logger) {
        self.client = SMTPClient(configuration: configuration, logger: logger)
    }

    /// Mail waits in the sender's queue while the relay is down.
    public var queuesWhileUnavailable: Bool { true }

    public func send(_ message: MailMessage) async throws {
        try await client.send(message.mime())
    }

    public func ping() async throws {
        let now = ContinuousClock.now
        if let last = lastCheck.withLock({ $0 }), now - last.at < Self.checkInterval {
            if let error = last.error { throw error }
            return
        }
        do {
            try await client.checkConnection()
            lastCheck.withLock { $0 = (now, nil) }
        } catch {
            let failure = error as? SMTPError ?? .connectionFailed("\(error)")
            lastCheck.withLock { $0 = (now, failure) }
            throw failure
        }
    }
}
