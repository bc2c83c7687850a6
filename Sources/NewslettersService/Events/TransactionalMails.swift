import ComptoirContracts
import ComptoirKit
import FluentKit
import Foundation

/// The mails the platform's events call for. Each is queued in the event's inbox transaction,
/// keyed by the event id, so a redelivered event never mails twice.
struct TransactionalMails: Sendable {
    let environment: ServiceEnvironment
    let sender: MailSender

    var handlers: [EventHandler] {
        [
            EventHandler(UserRegistered.type) { envelope, tx in
                let user = try envelope.payload(as: UserRegistered.self)
                try await Recipient.remember(user.userId, email: user.email, name: user.name, on: tx)
                try await queue(MailContent.welcome(user), to: user.email, for: envelope, on: tx)
            },
            EventHandler(PasswordResetRequested.type) { envelope, tx in
                let reset = try envelope.payload(as: PasswordResetRequested.self)
                let link = environment.configuration.publicURL.link("/#/reset", token: reset.token)
                try await queue(MailContent.passwordReset(reset, link: link), to: reset.email, for: envelope, on: tx)
            },
            EventHandler(OrderConfirmed.type) { envelope, tx in
                let order = try envelope.payload(as: OrderConfirmed.self)
                try await Recipient.remember(order.userId, email: order.customerEmail, name: order.customerName, on: tx)
                try await queue(try MailContent.orderConfirmation(order), to: order.customerEmail, for: envelope, on: tx)
            },
            EventHandler(DeliveryUpdated.type) { envelope, tx in
                let delivery = try envelope.payload(as: DeliveryUpdated.self)
                guard delivery.status == "shipped" else { return }
                guard let recipient = try await Recipient.find(delivery.userId, on: tx) else {
                    environment.logger.warning(
                        "no address known for a shipped parcel's customer; no mail",
                        metadata: ["user_id": .string(delivery.userId.uuidString)]
                    )
                    return
                }
                try await queue(MailContent.shipped(delivery, name: recipient.name), to: recipient.email, for: envelope, on: tx)
            },
            EventHandler(TicketCreated.type) { envelope, tx in
                let ticket = try envelope.payload(as: TicketCreated.self)
                try await queue(MailContent.ticketCreated(ticket), to: environment.configuration.supportEmail, for: envelope, on: tx)
            },
            EventHandler(TicketReplied.type) { envelope, tx in
                let reply = try envelope.payload(as: TicketReplied.self)
                try await queue(MailContent.ticketReply(reply), to: reply.customerEmail, for: envelope, on: tx)
            },
            EventHandler(ContactMessageReceived.type) { envelope, tx in
                let contact = try envelope.payload(as: ContactMessageReceived.self)
                try await queue(MailContent.contactMessage(contact), to: contact.teamEmail, for: envelope, on: tx)
            },
        ]
    }

    func queue(_ content: MailContent, to recipient: String, for envelope: EventEnvelope, on tx: any Database) async throws {
        let mail = OutgoingMail(
            websiteId: envelope.websiteId,
            recipient: recipient,
            subject: content.subject,
            text: content.text,
            html: content.html,
            reason: envelope.type,
            causeId: envelope.id.uuidString
        )
        mail.traceparent = environment.telemetry.traceparent()
        try await mail.create(on: tx)
        sender.notifyAfterCommit()
    }
}
