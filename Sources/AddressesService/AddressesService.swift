import ComptoirContracts
import ComptoirKit
import FluentKit
import Hummingbird

/// The addresses service: each customer's shipping and billing addresses, validated per country,
/// one default per kind.
public struct AddressesService: ComptoirService {
    public static let id = ServiceID.addresses

    let environment: ServiceEnvironment

    public init(environment: ServiceEnvironment) async throws {
        self.environment = environment
    }

    public var migrations: [any Migration] { [CreateAddresses()] }

    public func declare(_ api: ServiceAPI) {
        AddressRoutes(environment: environment).declare(api)
    }
}
