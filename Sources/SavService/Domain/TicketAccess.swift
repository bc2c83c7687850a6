import ComptoirContracts
import ComptoirKit
import FluentKit
import Foundation

/// Who may see a ticket: its customer, and every agent (role `support`, or `admin`). Anyone else
/// gets the same 404 as for a ticket that does not exist.
enum TicketAccess {
    static func isAgent(_ principal: Principal) -> Bool { principal.has(.support) }

    /// The ticket named by `id` in this store, with its thread and files, if the caller may see it.
    static func find(_ id: UUID?, _ principal: Principal, _ context: ComptoirRequestContext, on database: any Database) async throws -> Ticket {
        guard let id,
            let ticket = try await Ticket.query(in: context, on: database).filter(\.$id == id).with(\.$messages).with(\.$attachments).first(),
            isAgent(principal) || ticket.userId == principal.userId
        else { throw ProblemError.notFound("ticket") }
        return ticket
    }
}
