import ComptoirContracts
import ComptoirKit
import Foundation

/// The subject and parts of a transactional mail. Every mail has a plain-text part; values
/// that came from users are escaped in the HTML part.
struct MailContent: Sendable, Equatable {
    var subject: String
    var text: String
    var html: String?

    static func welcome(_ user: UserRegistered) -> MailContent {
        MailContent(
            subject: "Welcome to Comptoir, \(user.name)",
            text: """
                Hello \(user.name),

                Your account \(user.email) is ready. Happy shopping!

                — Comptoir
                """,
            html:
                """
                <p>Hello \(escape(user.name)),</p><p>Your account <strong>\(escape(user.email))</strong> is ready. \
                Happy shopping!</p><p>— Comptoir</p>
                """
        )
    }

    static func passwordReset(_ reset: PasswordResetRequested, link: String) -> MailContent {
        MailContent(
            subject: "Reset your Comptoir password",
            text: """
                Hello \(reset.name),

                Someone (we hope you) asked to reset the password of \(reset.email).
                Choose a new password within 30 minutes with this link; it works once:

                \(link)

                If you did not ask, ignore this mail: your password stays as it is.

                — Comptoir
                """,
            html:
                """
                <p>Hello \(escape(reset.name)),</p><p>Someone (we hope you) asked to reset the password of \
                <strong>\(escape(reset.email))</strong>. Choose a new password within 30 minutes with this link; it works once:</p>\
                <p><a href="\(escape(link))">Choose a new password</a></p>\
                <p>If you did not ask, ignore this mail: your password stays as it is.</p><p>— Comptoir</p>
                """
        )
    }

    /// Throws ``RejectedEventPayload`` for lines whose totals do not fit in an `Int`: the event
    /// comes from the bus, and multiplying them unchecked would stop the whole process.
    static func orderConfirmation(_ order: OrderConfirmed) throws -> MailContent {
        let currency = CurrencyCode(order.currency) ?? .eur
        func price(_ amount: Int) -> String { Money(amount: amount, currency: currency).formatted }
        guard let totals = LineTotals(order.lines.map { (unitPrice: $0.unitPrice, quantity: $0.quantity) }) else {
            throw RejectedEventPayload(OrderConfirmed.type, "a line's unit_price × quantity, or their sum, is too large")
        }
        let priced = zip(order.lines, totals.lines)
        let lines = priced.map { line, total in "\(line.quantity) × \(line.name) — \(price(total))" }
        let rows = priced.map { line, total in "<tr><td>\(line.quantity) × \(escape(line.name))</td><td>\(price(total))</td></tr>" }
        return MailContent(
            subject: "Order \(order.number) confirmed",
            text: """
                Hello \(order.customerName),

                Thank you for your order \(order.number). It is confirmed and being prepared.

                \(lines.joined(separator: "\n"))

                Total: \(price(order.total))

                We will send you its tracking number as soon as it ships.

                — Comptoir
                """,
            html: """
                <p>Hello \(escape(order.customerName)),</p>
                <p>Thank you for your order <strong>\(escape(order.number))</strong>. It is confirmed and being prepared.</p>
                <table>\(rows.joined())<tr><th>Total</th><th>\(price(order.total))</th></tr></table>
                <p>— Comptoir</p>
                """
        )
    }

    /// The double opt-in mail.
    static func subscriptionConfirmation(confirmURL: String) -> MailContent {
        MailContent(
            subject: "Confirm your subscription to our newsletter",
            text: """
                Hello,

                Someone (we hope you) asked to receive our newsletter at this address. To confirm, open:

                \(confirmURL)

                If it was not you, ignore this mail: you will not be subscribed. The link works for two days.

                — Comptoir
                """,
            html:
                """
                <p>Hello,</p><p>Someone (we hope you) asked to receive our newsletter at this address.</p>\
                <p><a href="\(escape(confirmURL))">Confirm my subscription</a></p>\
                <p>If it was not you, ignore this mail: you will not be subscribed. \
                The link works for two days.</p><p>— Comptoir</p>
                """
        )
    }

    /// A parcel on its way, for the customer.
    static func shipped(_ delivery: DeliveryUpdated, name: String) -> MailContent {
        MailContent(
            subject: "Your parcel is on its way",
            text: """
                Hello \(name),

                Your parcel has left with \(delivery.carrier). Its tracking number is \(delivery.trackingNumber).

                — Comptoir
                """,
            html:
                """
                <p>Hello \(escape(name)),</p><p>Your parcel has left with \(escape(delivery.carrier)). \
                Its tracking number is <strong>\(escape(delivery.trackingNumber))</strong>.</p><p>— Comptoir</p>
                """
        )
    }

    /// A new ticket, for the support team.
    static func ticketCreated(_ ticket: TicketCreated) -> MailContent {
        let about = ticket.orderId.map { " about order \($0.uuidString.lowercased())" } ?? ""
        return MailContent(
            subject: "[\(ticket.number)] New ticket: \(ticket.subject)",
            text: """
                \(ticket.customerName) <\(ticket.customerEmail)> opened ticket \(ticket.number)\(about):

                \(ticket.message)

                Answer it from the support queue.
                """,
            html: nil
        )
    }

    /// An agent's reply, for the customer.
    static func ticketReply(_ reply: TicketReplied) -> MailContent {
        MailContent(
            subject: "Re: [\(reply.number)] \(reply.subject)",
            text: """
                Hello \(reply.customerName),

                Our support team answered your ticket \(reply.number):

                \(reply.reply)

                You can reply from your account's Support page.

                — Comptoir
                """,
            html: """
                <p>Hello \(escape(reply.customerName)),</p>
                <p>Our support team answered your ticket <strong>\(escape(reply.number))</strong>:</p>
                <blockquote>\(escape(reply.reply).replacingOccurrences(of: "\n", with: "<br>"))</blockquote>
                <p>You can reply from your account's Support page.</p><p>— Comptoir</p>
                """
        )
    }

    /// A contact-form message, for the team its topic is routed to.
    static func contactMessage(_ contact: ContactMessageReceived) -> MailContent {
        MailContent(
            subject: "[Contact · \(contact.topic)] \(contact.name)",
            text: """
                \(contact.name) <\(contact.email)> wrote through the contact form (topic: \(contact.topic)):

                \(contact.message)

                Reply to \(contact.email) to answer.
                """,
            html: nil
        )
    }

    static func escape(_ value: String) -> String {
        value.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
            .replacingOccurrences(of: "\"", with: "&quot;").replacingOccurrences(of: "'", with: "&#39;")
    }
}
