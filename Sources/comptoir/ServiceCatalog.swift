import AddressesService
import AuthService
import BasketsService
import ProductsService
import WebsitesService
import ComptoirKit

/// The services this build contains. A service is added here when its folder lands.
enum ServiceCatalog {
    static let all: [ServiceID: any ComptoirService.Type] = [
        .auth: AuthService.self,
        .products: ProductsService.self,
        .baskets: BasketsService.self,
        .addresses: AddressesService.self,
        .websites: WebsitesService.self,
    ]

    /// In the table's order (auth, products, …), as ports are assigned.
    static var ids: [ServiceID] { ServiceID.allCases.filter { all[$0] != nil } }

    static func type(of id: ServiceID) -> (any ComptoirService.Type)? { all[id] }
}
