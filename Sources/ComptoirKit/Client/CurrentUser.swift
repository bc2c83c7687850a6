import ComptoirContracts
import Hummingbird

/// The caller's account as auth's `GET /auth/me` shows it: what a service copies onto a record
/// (an order, a ticket) so that mails about it can be sent from events alone.
public struct CurrentUser: Decodable, Sendable {
    public var email: String
    public var name: String
}

extension InternalClient {
    /// Reads the calling user's account from auth, with their own token.
    public func currentUser(_ principal: Principal, context: ComptoirRequestContext, request: Request) async throws -> CurrentUser {
        try await get(.auth, "/auth/me", as: CurrentUser.self, identity: .user(principal), context: context, request: request)
    }
}
