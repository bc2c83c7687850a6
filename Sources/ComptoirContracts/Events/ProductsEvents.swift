import Foundation

/// `products.product.changed`: a product was created, changed (price, stock…) or deleted.
public struct ProductChanged: DomainEvent, Equatable {
    public static let type = "products.product.changed"
    public var productId: UUID
    public var websiteId: UUID
    public var sku: String
    public var price: Int
    public var currency: String
    public var stock: Int
    public var deleted: Bool

    public init(productId: UUID, websiteId: UUID, sku: String, price: Int, currency: String, stock: Int, deleted: Bool) {
        self.productId = productId
        self.websiteId = websiteId
        self.sku = sku
        self.price = price
        self.currency = currency
        self.stock = stock
        self.deleted = deleted
    }
}

/// `products.stock.reserved`: every line of the order is held.
public struct StockReserved: DomainEvent, Equatable {
    public static let type = "products.stock.reserved"
    public var orderId: UUID

    public init(orderId: UUID) {
        self.orderId = orderId
    }
}

/// `products.stock.rejected`: some line could not be held; nothing is held for the order.
public struct StockRejected: DomainEvent, Equatable {
    public static let type = "products.stock.rejected"
    public var orderId: UUID
    public var reason: String
    /// The products that were short.
    public var productIds: [UUID]

    public init(orderId: UUID, reason: String, productIds: [UUID]) {
        self.orderId = orderId
        self.reason = reason
        self.productIds = productIds
    }
}
