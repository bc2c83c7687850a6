import ComptoirKit
import FluentKit
import Foundation
import ServiceLifecycle

/// Sends queued mails through the ``Mailer`` and marks them sent. A mail is queued in the same
/// transaction as the event that caused it, so none is lost; a crash after the mailer accepted
/// it and before it is marked hands it to the mailer once more, with the same `Message-ID`
/// (the file mailer then rewrites the same file; SMTP receivers drop the duplicate by its id).
/// Failures are retried with back-off; after ``maxAttempts`` the mail is marked `failed`.
struct MailSender: Service {
    let environment: ServiceEnvironment
    let signal = RelaySignal()
    var pollInterval: Duration = .seconds(1)
    var batchSize = 50
    var maxAttempts = 10

    /// Wakes the sender after a transaction that queued mail commits.
    func notify() { signal.notify() }

    func run() async throws {
        await PollingLoop.run(signal: signal, interval: pollInterval, logger: environment.logger, name: "mail sender") {
            try await sendBatch() == batchSize
        }
    }

    /// Sends the due mails, oldest first; returns how many it looked at.
    @discardableResult
    func sendBatch() async throws -> Int {
        let database = environment.database.fluent
        let due = try await OutgoingMail.query(on: database).filter(\.$status == OutgoingMail.Status.queued.rawValue)
            .filter(\.$nextAttemptAt <= Date()).sort(\.$createdAt).sort(\.$id).limit(batchSize).all()
        for mail in due {
            try Task.checkCancellation()
            await send(mail, on: database)
        }
        return due.count
    }

    private func send(_ mail: OutgoingMail, on database: any Database) async {
        var headers: [(String, String)] = []
        if let unsubscribe = mail.listUnsubscribe {
            // RFC 2369 and RFC 8058: mail clients offer (and may POST) a one-click unsubscribe.
            headers = [("List-Unsubscribe", "<\(unsubscribe)>"), ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click")]
        }
        let message = MailMessage(
            from: environment.configuration.mailFrom, to: [mail.recipient], subject: mail.subject, text: mail.bodyText, html: mail.bodyHTML,
            headers: headers, messageID: mail.messageId)
        do {
            try await environment.mailer.send(message)
            mail.status = OutgoingMail.Status.sent.rawValue
            mail.sentAt = Date()
            mail.lastError = nil
            try await mail.update(on: database)
            environment.metrics.counter("mails_sent_total", [("reason", mail.reason)]).increment()
        } catch {
            mail.attempts += 1
            mail.lastError = String(String(reflecting: error).prefix(1000))
            mail.nextAttemptAt = Date().addingTimeInterval(min(2 * pow(2, Double(mail.attempts - 1)), 3600))
            if mail.attempts >= maxAttempts { mail.status = OutgoingMail.Status.failed.rawValue }
            environment.metrics.counter("mails_failed_total", [("reason", mail.reason)]).increment()
            environment.logger.warning(
                "mail not sent",
                metadata: [
                    "mail_id": .string(mail.id?.uuidString ?? "unsaved"), "attempt": .stringConvertible(mail.attempts),
                    "error": .string(mail.lastError ?? ""),
                ])
            try? await mail.update(on: database)
        }
    }
}
