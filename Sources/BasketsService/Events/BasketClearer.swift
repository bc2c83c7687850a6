import ComptoirKit
import FluentKit

/// Empties a customer's basket in a store once their order there is confirmed.
enum BasketClearer {
    static var handler: EventHandler {
        EventHandler(OrderConfirmed.type) { envelope, tx in
            let order = try envelope.payload(as: OrderConfirmed.self)
            try await BasketLine.query(on: tx).filter(\.$userId == order.userId).filter(\.$websiteId == order.websiteId).delete()
        }
    }
}
