import ComptoirContracts
import ComptoirKit
import FluentKit

/// Empties a customer's basket in a store once their order there is confirmed.
enum BasketClearer {
    static func handler(_ baskets: BasketCache) -> EventHandler {
        EventHandler.withAfterCommit(OrderConfirmed.type) { envelope, tx in
            let order = try envelope.payload(as: OrderConfirmed.self)
            try await BasketLine.query(on: tx).filter(\.$userId == order.userId).filter(\.$websiteId == order.websiteId).delete()
            return { await baskets.invalidate([BasketCache.Owner(user: order.userId, website: order.websiteId)]) }
        }
    }
}
