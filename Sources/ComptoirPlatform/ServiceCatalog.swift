import AddressesService
import AuthService
import BasketsService
import ComptoirContracts
import ComptoirKit
import ContactsService
import DeliveriesService
import NewslettersService
import OrdersService
import ProductsService
import QuestionsService
import SavService
import WebsitesService

/// The services this build contains. A service is added here when its folder lands.
public enum ServiceCatalog {
    public static let all: [ServiceID: any ComptoirService.Type] = [
        .auth: AuthService.self,
        .products: ProductsService.self,
        .baskets: BasketsService.self,
        .orders: OrdersService.self,
        .deliveries: DeliveriesService.self,
        .addresses: AddressesService.self,
        .websites: WebsitesService.self,
        .sav: SavService.self,
        .contacts: ContactsService.self,
        .newsletters: NewslettersService.self,
        .questions: QuestionsService.self,
    ]

    /// In the table's order (auth, products, …), as ports are assigned.
    public static var ids: [ServiceID] { ServiceID.allCases.filter { all[$0] != nil } }

    /// The services of this build with their types, in the order of ``ids``.
    public static var entries: [(id: ServiceID, type: any ComptoirService.Type)] {
        ServiceID.allCases.compactMap { id in all[id].map { (id, $0) } }
    }

    public static func type(of id: ServiceID) -> (any ComptoirService.Type)? { all[id] }
}
