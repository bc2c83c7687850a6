import ComptoirContracts
import ComptoirKit
import ComptoirTesting
import FluentKit
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing
import WebsitesService

/// Stores: the default one from the first start, resolution by header and host, administration.
@Suite struct WebsiteTests {
    static var shop: [String: Any] { ["code": "shop-b", "name": "Shop B", "domain": "Shop-B.example.com", "currency": "GBP", "locale": "en-GB"] }

    @Test func defaultWebsiteExistsFromTheStart() async throws {
        try await TestPlatform.withService(WebsitesService.self) { client, _ in
            let current = try await client.json(.get, "/websites/current")
            #expect(current.status == .ok)
            #expect(current.object["code"] as? String == "default")
            #expect(current.object["currency"] as? String == "EUR")
        }
    }

    @Test func currentIsChosenByHeaderThenHost() async throws {
        try await TestPlatform.withService(WebsitesService.self) { client, environment in
            let admin = try await TestPlatform.token(environment, roles: [.admin])
            let created = try await client.json(.post, "/websites", body: Self.shop, token: admin)
            #expect(created.status == .created)
            #expect(created.object["domain"] as? String == "shop-b.example.com")
            let byCode = try await client.json(.get, "/websites/current", headers: [.xWebsite: "shop-b"])
            #expect(byCode.object["code"] as? String == "shop-b")
            let byHost = try await client.json(.get, "/websites/current", headers: [.xForwardedHost: "shop-b.example.com:8443"])
            #expect(byHost.object["code"] as? String == "shop-b")
            let otherHost = try await client.json(.get, "/websites/current", headers: [.xForwardedHost: "elsewhere.example"])
            #expect(otherHost.object["code"] as? String == "default")
            #expect(try await client.json(.get, "/websites/current", headers: [.xWebsite: "nope"]).status == .notFound)
        }
    }

    @Test func administrationNeedsTheAdminRole() async throws {
        try await TestPlatform.withService(WebsitesService.self) { client, environment in
            let customer = try await TestPlatform.token(environment)
            #expect(try await client.json(.get, "/websites").status == .unauthorized)
            #expect(try await client.json(.get, "/websites", token: customer).status == .forbidden)
            #expect(try await client.json(.post, "/websites", body: Self.shop, token: customer).status == .forbidden)
        }
    }

    @Test func createListUpdateWithValidationAndConflicts() async throws {
        try await TestPlatform.withService(WebsitesService.self) { client, environment in
            let admin = try await TestPlatform.token(environment, roles: [.admin])
            let created = try await client.json(.post, "/websites", body: Self.shop, token: admin)
            let id = try #require(created.object["id"] as? String)
            #expect(try await client.json(.post, "/websites", body: Self.shop, token: admin).status == .conflict)
            let invalid = try await client.json(
                .post,
                "/websites",
                body: ["code": "Bad Code", "name": "", "currency": "euro", "locale": "french", "domain": "-x-"],
                token: admin
            )
            #expect(invalid.status == .unprocessableContent)
            #expect(Set(invalid.problemFields) == ["code", "name", "currency", "locale", "domain"])
            var renamed = Self.shop
            renamed["name"] = "Shop B (UK)"
            let updated = try await client.json(.put, "/websites/\(id)", body: renamed, token: admin)
            #expect(updated.object["name"] as? String == "Shop B (UK)")
            let list = try await client.json(.get, "/websites?per_page=10", token: admin)
            #expect(list.object["total"] as? Int == 2)
            #expect(try await client.json(.put, "/websites/\(UUID())", body: renamed, token: admin).status == .notFound)
            let events = try await OutboxMessage.query(on: environment.database.fluent).filter(\.$type == WebsiteChanged.type).count()
            #expect(events == 3, "the default website, the creation and the update")
        }
    }

    @Test func theDefaultWebsiteKeepsItsCode() async throws {
        try await TestPlatform.withService(WebsitesService.self) { client, environment in
            let admin = try await TestPlatform.token(environment, roles: [.admin])
            let current = try await client.json(.get, "/websites/current")
            var body = Self.shop
            body["domain"] = nil
            let response = try await client.json(.put, "/websites/\(current.object["id"] as! String)", body: body, token: admin)
            #expect(response.status == .conflict)
        }
    }
}
