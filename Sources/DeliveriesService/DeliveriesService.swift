import ComptoirContracts
import ComptoirKit
import FluentKit
import Hummingbird

/// The deliveries service: a shipment for every confirmed order, its carrier, tracking number,
/// estimated delivery and status history, and public tracking.
public struct DeliveriesService: ComptoirService {
    public static let id = ServiceID.deliveries

    let environment: ServiceEnvironment

    public init(environment: ServiceEnvironment) async throws {
        self.environment = environment
    }

    public var migrations: [any Migration] { [CreateDeliveries()] }

    public func declare(_ api: ServiceAPI) {
        DeliveryRoutes(environment: environment).declare(api)
    }

    /// A confirmed order opens a shipment; a cancelled one stops it if it has not left.
    public var eventHandlers: [EventHandler] { ShipmentOpener(environment: environment).handlers }
}
