import ComptoirContracts
import ComptoirKit
import FluentKit
import Hummingbird

/// The products service: the catalog of each store, its search, images and stock.
public struct ProductsService: ComptoirService {
    public static let id = ServiceID.products

    let environment: ServiceEnvironment
    let catalog: Catalog

    public init(environment: ServiceEnvironment) async throws {
        self.environment = environment
        self.catalog = Catalog(database: environment.database, cache: environment.cache)
    }

    public var migrations: [any Migration] { [CreateCatalog(), AddImagePositions()] }

    public func declare(_ api: ServiceAPI) {
        ProductRoutes(environment: environment, catalog: catalog).declare(api)
        ImageRoutes(environment: environment, catalog: catalog).declare(api)
    }

    /// The demo catalog, on an empty data directory unless `--no-demo`.
    public func prepare() async throws {
        if environment.loadDemoData { try await DemoCatalog.load(into: environment, catalog: catalog) }
    }

    /// Stock follows orders: reserved when one is placed, released when it is cancelled.
    public var eventHandlers: [EventHandler] { StockKeeper(environment: environment, catalog: catalog).handlers }
}
