import ComptoirKit
import FluentKit
import Foundation

/// `PATCH /deliveries/{id}`.
struct DeliveryUpdateRequest: Decodable, Sendable {
    var status: String
    var carrier: String?
    var estimatedDelivery: Date?
}

/// A shipment as its owner (or an admin) sees it.
struct DeliveryResponse: Encodable, Sendable {
    var id: UUID
    var orderId: UUID
    var orderNumber: String
    var carrier: String
    var trackingNumber: String
    var status: String
    /// Absent once no delivery is expected (``Delivery/expectedDelivery``).
    var estimatedDelivery: Date?
    var events: [TrackingEvent]
    var createdAt: Date
    var updatedAt: Date

    init(_ delivery: Delivery) throws {
        self.id = try delivery.requireID()
        self.orderId = delivery.orderId
        self.orderNumber = delivery.orderNumber
        self.carrier = delivery.carrier
        self.trackingNumber = delivery.trackingNumber
        self.status = delivery.statusValue
        self.estimatedDelivery = delivery.expectedDelivery
        self.events = TrackingEvent.list(delivery.events)
        self.createdAt = delivery.createdAt
        self.updatedAt = delivery.updatedAt
    }
}

/// Public tracking: what anyone holding the tracking number may see — no name, address or order.
struct TrackingResponse: Encodable, Sendable {
    var trackingNumber: String
    var carrier: String
    var status: String
    var estimatedDelivery: Date?
    var events: [TrackingEvent]

    init(_ delivery: Delivery) {
        self.trackingNumber = delivery.trackingNumber
        self.carrier = delivery.carrier
        self.status = delivery.statusValue
        self.estimatedDelivery = delivery.expectedDelivery
        self.events = TrackingEvent.list(delivery.events)
    }
}

struct TrackingEvent: Encodable, Sendable {
    var status: String
    var description: String
    var at: Date

    static func list(_ events: [DeliveryEvent]) -> [TrackingEvent] {
        events.sorted { $0.at < $1.at }.map { TrackingEvent(status: $0.status, description: $0.description, at: $0.at) }
    }
}

extension Delivery {
    /// The estimate while a delivery is still expected: a cancelled or failed parcel has none,
    /// so no page promises a date for it.
    var expectedDelivery: Date? { [.cancelled, .failed].contains(status) ? nil : estimatedDelivery }
}
