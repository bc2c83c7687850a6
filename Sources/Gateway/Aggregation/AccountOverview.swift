import ComptoirContracts
import ComptoirKit
import Foundation
import Hummingbird
import Logging

/// `GET /api/v1/account/overview`: one call for the account page, combining `auth/me`, the five
/// latest orders, the basket's line count and the open support tickets. The parts are fetched
/// concurrently as the caller; a part whose service is down or slow is left out and named in
/// `unavailable`, so the page still shows the rest. Only the account itself is essential.
struct AccountOverview: Sendable {
    let client: InternalClient
    let services: Set<ServiceID>

    struct Response: Encodable, Sendable {
        var user: JSONValue
        var latestOrders: [JSONValue]?
        var basketLineCount: Int?
        var openTickets: Int?
        /// The services whose part is missing from this answer.
        var unavailable: [String]
    }

    struct Page: Decodable, Sendable {
        var items: [JSONValue]
        var total: Int
    }

    struct Basket: Decodable, Sendable {
        var items: [JSONValue]
    }

    func overview(_ request: Request, context: ComptoirRequestContext) async throws -> Response {
        let principal = try context.require(.customer)
        let identity = InternalClient.Identity.user(principal)
        async let user = client.get(.auth, "/auth/me", as: JSONValue.self, identity: identity, context: context, request: request)
        async let orders = part(.orders, context) {
            try await client.get(.orders, "/orders?per_page=5", as: Page.self, identity: identity, context: context, request: request).items
        }
        async let basket = part(.baskets, context) {
            try await client.get(.baskets, "/baskets/mine", as: Basket.self, identity: identity, context: context, request: request).items.count
        }
        async let tickets = part(.sav, context) {
            try await client.get(.sav, "/sav/tickets?status=open&per_page=1", as: Page.self, identity: identity, context: context, request: request)
                .total
        }
        let (account, latestOrders, lineCount, openTickets) = try await (user, orders, basket, tickets)
        var unavailable: [String] = []
        if latestOrders == nil { unavailable.append(ServiceID.orders.rawValue) }
        if lineCount == nil { unavailable.append(ServiceID.baskets.rawValue) }
        if openTickets == nil { unavailable.append(ServiceID.sav.rawValue) }
        return Response(user: account, latestOrders: latestOrders, basketLineCount: lineCount, openTickets: openTickets, unavailable: unavailable)
    }

    /// One optional part: `nil` when the service is absent from this deployment or failing.
    private func part<T: Sendable>(_ service: ServiceID, _ context: ComptoirRequestContext, _ fetch: @Sendable () async throws -> T) async -> T? {
        guard services.contains(service) else { return nil }
        do {
            return try await fetch()
        } catch {
            context.logger.warning("account overview part left out", metadata: ["service": .string(service.rawValue), "error": .string("\(error)")])
            return nil
        }
    }
}
