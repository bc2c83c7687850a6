import FluentKit
import Foundation

/// One step of a shipment's history, shown on the tracking page.
final class DeliveryEvent: Model, @unchecked Sendable {
    static let schema = "delivery_events"

    @ID(key: .id) var id: UUID?
    @Parent(key: "delivery_id") var delivery: Delivery
    @Field(key: "status") var status: String
    @Field(key: "description") var description: String
    @Field(key: "at") var at: Date

    init() {}

    init(deliveryId: UUID, status: DeliveryStatus, description: String? = nil, at: Date = Date()) {
        self.id = UUID()
        self.$delivery.id = deliveryId
        self.status = status.rawValue
        self.description = description ?? status.summary
        self.at = at
    }
}
