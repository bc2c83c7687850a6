import ComptoirContracts
import ComptoirKit
import ComptoirTesting
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
import WebsitesService

/// The gateway tells services which store a request is for, and clients cannot claim another.
@Suite struct WebsiteScopeTests {
    @Test func gatewayResolvesTheStoreAndDropsForgedClaims() async throws {
        let directory = try TestPlatform.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let platform = try await TestPlatform.resources(dataDirectory: directory)
        let websites = try await ServiceHost.make(WebsitesService.self, platform: platform)
        let echo = Router()
        echo.get("/products") { request, _ in request.headers[.comptoirWebsiteId] ?? "none" }
        let echoApp = Application(router: echo)
        try await websites.application(port: 0).test(.live) { websitesClient in
            try await echoApp.test(.live) { echoClient in
                let upstreams: [ServiceID: URL] = [
                    .websites: URL(string: "http://127.0.0.1:\(websitesClient.port!)")!,
                    .products: URL(string: "http://127.0.0.1:\(echoClient.port!)")!,
                ]
                try await withGateway(extraUpstreams: upstreams) { client in
                    let current = try await client.json(.get, "/api/v1/websites/current")
                    let defaultID = try #require(current.object["id"] as? String)
                    let seen = try await client.execute(
                        uri: "/api/v1/products",
                        method: .get,
                        headers: [.comptoirWebsiteId: UUID().uuidString]
                    )
                    #expect(seen.text == defaultID)
                    let unknown = try await client.execute(uri: "/api/v1/products", method: .get, headers: [.xWebsite: "nope"])
                    #expect(unknown.status == .notFound)
                }
            }
        }
    }
}
