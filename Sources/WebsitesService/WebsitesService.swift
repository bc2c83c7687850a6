import ComptoirContracts
import ComptoirKit
import FluentKit
import Foundation
import Hummingbird

/// The websites service: the stores (tenants) of the platform and which one a request is for.
public struct WebsitesService: ComptoirService {
    public static let id = ServiceID.websites

    let environment: ServiceEnvironment

    public init(environment: ServiceEnvironment) async throws {
        self.environment = environment
    }

    public var migrations: [any Migration] { [CreateWebsites()] }

    public func declare(_ api: ServiceAPI) {
        WebsiteRoutes(environment: environment).declare(api)
    }

    /// The default store exists from the first start, demo or not (API.md, "Tenancy").
    public func prepare() async throws {
        let database = environment.database.fluent
        guard try await Website.query(on: database).filter(\.$code == Website.defaultCode).count() == 0 else { return }
        let website = Website(code: Website.defaultCode, name: "Comptoir", domain: nil, currency: "EUR", locale: "fr-FR")
        website.id = .defaultWebsite
        try await environment.database.transaction { tx in
            try await website.create(on: tx)
            try await environment.outbox.append(try WebsiteChanged(website), on: tx)
        }
        environment.logger.notice("created the default website")
    }
}
