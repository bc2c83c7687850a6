import ComptoirKit
import CoreMetrics
import FluentKit
import Foundation
import ServiceLifecycle
import Synchronization

/// Sends queued mails through the ``Mailer`` and marks them sent. A mail is queued in the same
/// transaction as the event that caused it, so none is lost; a crash after the mailer accepted
/// it and before it is marked hands it to the mailer once more, with the same `Message-ID`
/// (the file mailer then rewrites the same file; SMTP receivers drop the duplicate by its id).
/// Failures are retried with back-off; after ``maxAttempts`` the mail is marked `failed`.
///
/// A mail the mailer accepted but the database would not mark sent is remembered by this
/// sender, which marks it at its next passes and does not send it again meanwhile.
struct MailSender: Service {
    let environment: ServiceEnvironment
    let signal = RelaySignal()
    var pollInterval: Duration = .seconds(1)
    var batchSize = 50
    var maxAttempts = 10
    /// Mails the mailer accepted that are not yet marked sent, with the time they went; shared by
    /// the copies of this sender (the service, its routes and the campaign runner hold one each).
    private let unmarked = UnmarkedMails()

    init(environment: ServiceEnvironment) {
        self.environment = environment
    }

    /// Wakes the sender after a transaction that queued mail commits.
    func notify() { signal.notify() }

    /// Wakes the sender once the current transaction, which is queueing mail, commits.
    func notifyAfterCommit() { signal.notifyAfterCommit() }

    func run() async throws {
        await PollingLoop.run(signal: signal, interval: pollInterval, logger: environment.logger, name: "mail sender") {
            try await sendBatch() == batchSize
        }
    }

    /// Marks what went out earlier, then sends the due mails, oldest first; returns how many it
    /// looked at. Throws when the database cannot record a mail's fate, which is kept for the next pass.
    @discardableResult
    func sendBatch() async throws -> Int {
        let database = environment.database.fluent
        try await markUnmarked(on: database)
        let due = try await OutgoingMail.query(on: database).filter(\.$status == OutgoingMail.Status.queued.rawValue)
            .filter(\.$nextAttemptAt <= Date()).sort(\.$createdAt).sort(\.$id).limit(batchSize).all()
        for mail in due {
            try Task.checkCancellation()
            try await send(mail, on: database)
        }
        return due.count
    }

    private func markUnmarked(on database: any Database) async throws {
        for (id, sentAt) in unmarked.sentAt.withLock({ $0 }) {
            try await OutgoingMail.query(on: database).filter(\.$id == id).set(\.$status, to: OutgoingMail.Status.sent.rawValue)
                .set(\.$sentAt, to: sentAt).set(\.$lastError, to: nil).update()
            unmarked.sentAt.withLock { _ = $0.removeValue(forKey: id) }
        }
    }

    private func send(_ mail: OutgoingMail, on database: any Database) async throws {
        let id = try mail.requireID()
        var headers: [(String, String)] = []
        if let unsubscribe = mail.listUnsubscribe {
            // RFC 2369 and RFC 8058: mail clients offer (and may POST) a one-click unsubscribe.
            headers = [("List-Unsubscribe", "<\(unsubscribe)>"), ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click")]
        }
        let message = MailMessage(
            from: environment.configuration.mailFrom,
            to: [mail.recipient],
            subject: mail.subject,
            text: mail.bodyText,
            html: mail.bodyHTML,
            headers: headers,
            messageID: mail.messageId
        )
        do {
            try await environment.telemetry.continuing(mail.traceparent) { try await environment.mailer.send(message) }
        } catch {
            mail.attempts += 1
            mail.lastError = String(String(reflecting: error).prefix(1000))
            mail.nextAttemptAt = Date().addingTimeInterval(min(2 * pow(2, Double(mail.attempts - 1)), 3600))
            if mail.attempts >= maxAttempts { mail.status = OutgoingMail.Status.failed.rawValue }
            environment.metrics.counter("mails_failed_total", [("kind", mail.metricKind)]).increment()
            environment.logger.warning(
                "mail not sent",
                metadata: ["mail_id": .string(id.uuidString), "attempt": .stringConvertible(mail.attempts), "error": .string(mail.lastError ?? "")]
            )
            try await mail.update(on: database)
            return
        }
        let sentAt = Date()
        unmarked.sentAt.withLock { $0[id] = sentAt }
        environment.metrics.counter("mails_sent_total", [("kind", mail.metricKind)]).increment()
        mail.status = OutgoingMail.Status.sent.rawValue
        mail.sentAt = sentAt
        mail.lastError = nil
        try await mail.update(on: database)
        unmarked.sentAt.withLock { _ = $0.removeValue(forKey: id) }
    }
}

/// The reference that lets copies of a ``MailSender`` share what is waiting to be marked.
private final class UnmarkedMails: Sendable {
    let sentAt = Mutex<[UUID: Date]>([:])
}
