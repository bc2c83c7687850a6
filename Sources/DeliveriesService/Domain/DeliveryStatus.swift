/// Where a shipment is, and the moves an admin (or the platform) may make from each state.
enum DeliveryStatus: String, Codable, Sendable, CaseIterable {
    case preparing, shipped
    case inTransit = "in_transit"
    case delivered, failed
    /// Set by the platform when the order is cancelled before the parcel left; never by hand.
    case cancelled

    var successors: Set<DeliveryStatus> {
        switch self {
        case .preparing: [.shipped, .failed, .cancelled]
        case .shipped: [.inTransit, .delivered, .failed]
        case .inTransit: [.delivered, .failed]
        // A failed delivery is prepared again (a new attempt).
        case .failed: [.preparing]
        case .delivered, .cancelled: []
        }
    }

    /// The statuses `PATCH /deliveries/{id}` accepts.
    static let settableByAdmin: [DeliveryStatus] = [.preparing, .shipped, .inTransit, .delivered, .failed]

    /// What the tracking page says for this status.
    var summary: String {
        switch self {
        case .preparing: "Your parcel is being prepared."
        case .shipped: "Your parcel has left our warehouse."
        case .inTransit: "Your parcel is on its way."
        case .delivered: "Your parcel was delivered."
        case .failed: "Delivery failed; a new attempt will be arranged."
        case .cancelled: "The order was cancelled; nothing will be shipped."
        }
    }
}
