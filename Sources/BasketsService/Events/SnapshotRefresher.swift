import ComptoirContracts
import ComptoirKit
import FluentKit

/// Keeps basket snapshots in step with the catalog: a new price replaces the snapshot (the
/// customer sees it before checkout, which checks it again), a deleted product leaves the baskets.
enum SnapshotRefresher {
    static func handler(_ baskets: BasketCache) -> EventHandler {
        EventHandler.withAfterCommit(ProductChanged.type) { envelope, tx in
            let product = try envelope.payload(as: ProductChanged.self)
            // The price is multiplied by quantities on every read of the basket: one no product can
            // have is refused here (retried, then dead) rather than stored.
            guard product.deleted || ((0...Money.maximumUnitPrice).contains(product.price) && CurrencyCode(product.currency) != nil) else {
                throw RejectedEventPayload(ProductChanged.type, "\(product.price) \(product.currency) is not a price a product can have")
            }
            let lines = BasketLine.query(on: tx).filter(\.$productId == product.productId).filter(\.$websiteId == product.websiteId)
            let owners = try await lines.all(\.$userId).map { BasketCache.Owner(user: $0, website: product.websiteId) }
            if product.deleted {
                try await lines.delete()
            } else {
                try await lines.set(\.$unitPrice, to: product.price).set(\.$currency, to: product.currency).update()
            }
            return { await baskets.invalidate(owners) }
        }
    }
}
