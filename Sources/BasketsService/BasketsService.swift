import ComptoirKit
import FluentKit
import Hummingbird

/// The baskets service: what each customer is about to buy, per store.
public struct BasketsService: ComptoirService {
    public static let id = ServiceID.baskets

    let environment: ServiceEnvironment

    public init(environment: ServiceEnvironment) async throws {
        self.environment = environment
    }

    public var migrations: [any Migration] { [CreateBasketLines()] }

    public func addRoutes(to router: Router<ComptoirRequestContext>) {
        BasketRoutes(environment: environment).add(to: router)
    }

    /// A confirmed order empties the basket it came from; catalog changes refresh its snapshots.
    public var eventHandlers: [EventHandler] { [BasketClearer.handler, SnapshotRefresher.handler] }

    public var openAPIDocument: JSONValue? { BasketsOpenAPI.document }
}
