import ComptoirKit
import Foundation

/// The cached view of each basket (one per customer and store): a basket is read on every
/// page of the storefront and changes far less often. Every change drops the copy once it has
/// committed; a fill that an invalidation overtook is discarded by the cache itself.
struct BasketCache: Sendable {
    let cache: any Cache
    static let lifetime: Duration = .seconds(300)

    /// One customer's basket in one store.
    struct Owner: Hashable, Sendable {
        var user: UUID
        var website: UUID
    }

    func basket(of owner: Owner, load: () async throws -> BasketResponse) async throws -> BasketResponse {
        let key = Self.key(owner)
        if let basket = try await cache.readThrough(key, ttl: Self.lifetime, load: { () -> BasketResponse? in try await load() }) {
            return basket
        }
        return try await load()
    }

    func invalidate(_ owners: some Sequence<Owner>) async {
        for owner in Set(owners) { try? await cache.delete(Self.key(owner)) }
    }

    static func key(_ owner: Owner) -> String { "baskets:basket:\(owner.website):\(owner.user)" }
}
