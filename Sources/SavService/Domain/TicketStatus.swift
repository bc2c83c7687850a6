/// Where a ticket is. Agents move it; a customer's message reopens a resolved ticket.
///
/// open ⇄ pending (waiting for the customer) → resolved → closed; closed is final.
enum TicketStatus: String, Codable, Sendable, CaseIterable {
    case open, pending, resolved, closed

    var successors: Set<TicketStatus> {
        switch self {
        case .open: [.pending, .resolved, .closed]
        case .pending: [.open, .resolved, .closed]
        case .resolved: [.open, .closed]
        case .closed: []
        }
    }
}
