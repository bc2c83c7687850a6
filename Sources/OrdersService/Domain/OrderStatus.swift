/// Where an order is in its life, and the moves allowed from each state.
///
/// ```
/// pending ──▶ confirmed ──▶ shipped ──▶ delivered
///    │            │
///    └────────────┴──▶ cancelled
/// ```
enum OrderStatus: String, Codable, Sendable, CaseIterable {
    case pending, confirmed, shipped, delivered, cancelled

    /// The states this one may move to.
    var successors: Set<OrderStatus> {
        switch self {
        case .pending: [.confirmed, .cancelled]
        case .confirmed: [.shipped, .delivered, .cancelled]
        case .shipped: [.delivered]
        case .delivered, .cancelled: []
        }
    }

    func canMove(to next: OrderStatus) -> Bool { successors.contains(next) }

    /// Whether the customer may still cancel: nothing has left the warehouse yet.
    var isCancellable: Bool { canMove(to: .cancelled) }
}
