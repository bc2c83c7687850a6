import ComptoirContracts
import ComptoirKit
import FluentKit
import Hummingbird

/// The sav (after-sales) service: support tickets with a readable number, a message thread,
/// attachments in the blob store and assignment to agents. Customers see their own tickets,
/// agents (role `support`) all of them; newsletters mails the team and the customer.
public struct SavService: ComptoirService {
    public static let id = ServiceID.sav
    public static let calls: Set<ServiceID> = [.auth, .orders]

    let environment: ServiceEnvironment

    public init(environment: ServiceEnvironment) async throws {
        self.environment = environment
    }

    public var migrations: [any Migration] { [CreateTickets()] }

    public func declare(_ api: ServiceAPI) {
        TicketRoutes(environment: environment).declare(api)
        AttachmentRoutes(environment: environment).declare(api)
    }
}
