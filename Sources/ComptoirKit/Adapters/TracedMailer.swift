import Tracing

/// A mailer whose sends are `mail.send` spans.
public struct TracedMailer: Mailer {
    let inner: any Mailer
    let telemetry: Telemetry

    public init(_ inner: any Mailer, telemetry: Telemetry) {
        self.inner = inner
        self.telemetry = telemetry
    }

    public func send(_ message: MailMessage) async throws {
        try await telemetry.withSpan("mail.send", kind: .client) { _ in try await inner.send(message) }
    }

    public func ping() async throws {
        try await inner.ping()
    }

    public var queuesWhileUnavailable: Bool { inner.queuesWhileUnavailable }
}
