import Foundation

/// `deliveries.delivery.created`: a shipment was opened for a confirmed order.
public struct DeliveryCreated: DomainEvent, Equatable {
    public static let type = "deliveries.delivery.created"
    public var deliveryId: UUID
    public var orderId: UUID
    public var carrier: String
    public var trackingNumber: String
    public var estimatedDelivery: Date

    public init(deliveryId: UUID, orderId: UUID, carrier: String, trackingNumber: String, estimatedDelivery: Date) {
        self.deliveryId = deliveryId
        self.orderId = orderId
        self.carrier = carrier
        self.trackingNumber = trackingNumber
        self.estimatedDelivery = estimatedDelivery
    }
}

/// `deliveries.delivery.updated`: a shipment changed status; orders follows it
/// (`shipped`, `delivered`) and newsletters may tell the customer.
public struct DeliveryUpdated: DomainEvent, Equatable {
    public static let type = "deliveries.delivery.updated"
    public var deliveryId: UUID
    public var orderId: UUID
    public var userId: UUID
    /// `preparing`, `shipped`, `in_transit`, `delivered`, `failed` or `cancelled`.
    public var status: String
    public var carrier: String
    public var trackingNumber: String
    public var estimatedDelivery: Date

    public init(deliveryId: UUID, orderId: UUID, userId: UUID, status: String, carrier: String, trackingNumber: String, estimatedDelivery: Date) {
        self.deliveryId = deliveryId
        self.orderId = orderId
        self.userId = userId
        self.status = status
        self.carrier = carrier
        self.trackingNumber = trackingNumber
        self.estimatedDelivery = estimatedDelivery
    }
}
