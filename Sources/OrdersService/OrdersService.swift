import ComptoirContracts
import ComptoirKit
import FluentKit
import Hummingbird

/// The orders service: checkout, the order's state machine and its history, and the orders
/// side of the purchase saga.
public struct OrdersService: ComptoirService {
    public static let id = ServiceID.orders
    public static let calls: Set<ServiceID> = [.auth, .addresses, .baskets, .products]

    let environment: ServiceEnvironment

    public init(environment: ServiceEnvironment) async throws {
        self.environment = environment
        environment.metrics.startAtZero("orders_placed_total")
        environment.metrics.startAtZero("orders_confirmed_total")
        environment.metrics.startAtZero("orders_cancelled_total", [[("reason", "stock")], [("reason", "unknown")]])
    }

    public var migrations: [any Migration] { [CreateOrders()] }

    public func declare(_ api: ServiceAPI) {
        OrderRoutes(environment: environment).declare(api)
    }

    /// Stock reserved or rejected settles a pending order; deliveries move it to shipped and delivered.
    public var eventHandlers: [EventHandler] { OrderSaga(environment: environment).handlers }
}
