import ComptoirContracts
import ComptoirKit
import FluentKit
import Hummingbird

/// The baskets service: what each customer is about to buy, per store.
public struct BasketsService: ComptoirService {
    public static let id = ServiceID.baskets
    public static let calls: Set<ServiceID> = [.products]

    let environment: ServiceEnvironment
    let baskets: BasketCache

    public init(environment: ServiceEnvironment) async throws {
        self.environment = environment
        self.baskets = BasketCache(cache: environment.cache)
    }

    public var migrations: [any Migration] { [CreateBasketLines()] }

    public func declare(_ api: ServiceAPI) {
        BasketRoutes(environment: environment, baskets: baskets).declare(api)
    }

    /// A confirmed order empties the basket it came from; catalog changes refresh its snapshots.
    public var eventHandlers: [EventHandler] { [BasketClearer.handler(baskets), SnapshotRefresher.handler(baskets)] }
}
