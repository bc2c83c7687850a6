import ComptoirKit
import FluentKit
import Foundation

/// The shipment of one order.
final class Delivery: Model, @unchecked Sendable {
    static let schema = "deliveries"

    @ID(key: .id) var id: UUID?
    @Field(key: "order_id") var orderId: UUID
    @Field(key: "order_number") var orderNumber: String
    @Field(key: "user_id") var userId: UUID
    @Field(key: "website_id") var websiteId: UUID
    @Field(key: "country") var country: String
    @Field(key: "carrier") var carrier: String
    @Field(key: "tracking_number") var trackingNumber: String
    @Field(key: "status") var statusValue: String
    @Field(key: "estimated_delivery") var estimatedDelivery: Date
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "updated_at") var updatedAt: Date

    @Children(for: \.$delivery) var events: [DeliveryEvent]

    var status: DeliveryStatus {
        get { DeliveryStatus(rawValue: statusValue) ?? .preparing }
        set { statusValue = newValue.rawValue }
    }

    init() {}

    init(order: OrderConfirmedSummary, plan: CarrierPlan, trackingNumber: String, now: Date) {
        self.id = UUID()
        self.orderId = order.orderId
        self.orderNumber = order.number
        self.userId = order.userId
        self.websiteId = order.websiteId
        self.country = order.country
        self.carrier = plan.carrier
        self.trackingNumber = trackingNumber
        self.statusValue = DeliveryStatus.preparing.rawValue
        self.estimatedDelivery = plan.estimatedDelivery(from: now)
        self.createdAt = now
        self.updatedAt = now
    }
}

extension Delivery: WebsiteScoped {
    static var websiteIdKey: KeyPath<Delivery, FieldProperty<Delivery, UUID>> { \.$websiteId }
}

/// What a delivery needs of a confirmed order.
struct OrderConfirmedSummary: Sendable {
    var orderId: UUID
    var number: String
    var userId: UUID
    var websiteId: UUID
    var country: String
}
