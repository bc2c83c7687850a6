import Foundation

/// `sav.ticket.created`: a customer opened a support ticket; newsletters tells the support team.
public struct TicketCreated: DomainEvent, Equatable {
    public static let type = "sav.ticket.created"
    public var ticketId: UUID
    public var number: String
    public var subject: String
    public var message: String
    public var customerEmail: String
    public var customerName: String
    public var orderId: UUID?

    public init(ticketId: UUID, number: String, subject: String, message: String, customerEmail: String, customerName: String, orderId: UUID?) {
        self.ticketId = ticketId
        self.number = number
        self.subject = subject
        self.message = message
        self.customerEmail = customerEmail
        self.customerName = customerName
        self.orderId = orderId
    }
}

/// `sav.ticket.replied`: an agent answered a ticket; newsletters mails the customer the reply.
public struct TicketReplied: DomainEvent, Equatable {
    public static let type = "sav.ticket.replied"
    public var ticketId: UUID
    public var number: String
    public var subject: String
    public var reply: String
    public var customerEmail: String
    public var customerName: String

    public init(ticketId: UUID, number: String, subject: String, reply: String, customerEmail: String, customerName: String) {
        self.ticketId = ticketId
        self.number = number
        self.subject = subject
        self.reply = reply
        self.customerEmail = customerEmail
        self.customerName = customerName
    }
}
