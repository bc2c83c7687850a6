import Foundation

/// One line of an order as events carry it.
public struct OrderLineData: Codable, Sendable, Equatable {
    public var productId: UUID
    public var name: String
    public var quantity: Int
    public var unitPrice: Int

    public init(productId: UUID, name: String, quantity: Int, unitPrice: Int) {
        self.productId = productId
        self.name = name
        self.quantity = quantity
        self.unitPrice = unitPrice
    }
}

/// `orders.order.placed`: an order is stored `pending`; products reserves its stock.
public struct OrderPlaced: DomainEvent, Equatable {
    public static let type = "orders.order.placed"
    public var orderId: UUID
    public var number: String
    public var userId: UUID
    public var websiteId: UUID
    public var lines: [OrderLineData]
    public var total: Int
    public var currency: String

    public init(orderId: UUID, number: String, userId: UUID, websiteId: UUID, lines: [OrderLineData], total: Int, currency: String) {
        self.orderId = orderId
        self.number = number
        self.userId = userId
        self.websiteId = websiteId
        self.lines = lines
        self.total = total
        self.currency = currency
    }
}

/// `orders.order.cancelled`: the order will not go ahead; any stock it holds is released.
public struct OrderCancelled: DomainEvent, Equatable {
    public static let type = "orders.order.cancelled"
    public var orderId: UUID
    public var reason: String

    public init(orderId: UUID, reason: String) {
        self.orderId = orderId
        self.reason = reason
    }
}

/// `orders.order.confirmed`: the stock is held; baskets clears the customer's basket,
/// deliveries opens a shipment and newsletters mails the confirmation. It carries what those
/// consumers need, so none of them has to call back.
public struct OrderConfirmed: DomainEvent, Equatable {
    public static let type = "orders.order.confirmed"
    public var orderId: UUID
    public var number: String
    public var userId: UUID
    public var websiteId: UUID
    public var customerEmail: String
    public var customerName: String
    public var lines: [OrderLineData]
    public var total: Int
    public var currency: String
    /// ISO 3166-1 alpha-2 country of the shipping address (carrier and delivery estimate).
    public var shippingCountry: String

    public init(
        orderId: UUID,
        number: String,
        userId: UUID,
        websiteId: UUID,
        customerEmail: String,
        customerName: String,
        lines: [OrderLineData],
        total: Int,
        currency: String,
        shippingCountry: String
    ) {
        self.orderId = orderId
        self.number = number
        self.userId = userId
        self.websiteId = websiteId
        self.customerEmail = customerEmail
        self.customerName = customerName
        self.lines = lines
        self.total = total
        self.currency = currency
        self.shippingCountry = shippingCountry
    }
}
