import ComptoirContracts
import ComptoirKit
import ComptoirTesting
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import ProductsService
import Testing

/// The catalog through HTTP: writes by role, validation, listing, search, scoping, cache, images.
@Suite struct CatalogTests {
    static func product(
        _ sku: String,
        _ name: String,
        price: Int,
        category: String = "kitchen",
        description: String = "",
        stock: Int = 10
    ) -> [String: Any] {
        ["sku": sku, "name": name, "price": price, "category": category, "description": description, "stock": stock]
    }

    /// Creates a few products as a catalog manager and returns its token.
    static func seed(_ client: some TestClientProtocol, _ environment: ServiceEnvironment) async throws -> String {
        let manager = try await TestPlatform.token(environment, roles: [.catalog])
        for body in [
            product("MUG-1", "Crème mug", price: 1200, description: "A stoneware mug for coffee"),
            product("POT-2", "Tea pot", price: 3500, description: "Cast iron teapot"),
            product("TEE-3", "Cotton tee", price: 1999, category: "clothing", description: "Organic cotton"),
        ] {
            let response = try await client.json(.post, "/products", body: body, token: manager)
            guard response.status == .created else { throw TestFailure("seeding answered \(response.status): \(response.text)") }
        }
        return manager
    }

    func names(_ response: TestResponse) -> [String] {
        (response.object["items"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
    }

    @Test func writesNeedTheCatalogRole() async throws {
        try await TestPlatform.withService(ProductsService.self) { client, environment in
            let body = Self.product("A-1", "A", price: 100)
            #expect(try await client.json(.post, "/products", body: body).status == .unauthorized)
            let customer = try await TestPlatform.token(environment)
            #expect(try await client.json(.post, "/products", body: body, token: customer).status == .forbidden)
            let admin = try await TestPlatform.token(environment, roles: [.admin])
            #expect(try await client.json(.post, "/products", body: body, token: admin).status == .created)
        }
    }

    /// On PostgreSQL two writers can both find the new category missing; neither may fail for it.
    @Test func productsCreatedAtOnceInOneNewCategoryAreAllCreated() async throws {
        try await TestPlatform.withService(ProductsService.self) { client, environment in
            let manager = try await TestPlatform.token(environment, roles: [.catalog])
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for index in 0..<8 {
                    group.addTask {
                        try await client.json(
                            .post,
                            "/products",
                            body: Self.product("RACE-\(index)", "Race \(index)", price: 100, category: "new-shelf"),
                            token: manager
                        )
                        .status.code
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(statuses == Array(repeating: 201, count: 8))
        }
    }

    @Test func invalidProductsAreRefused() async throws {
        try await TestPlatform.withService(ProductsService.self) { client, environment in
            let manager = try await Self.seed(client, environment)
            let invalid = try await client.json(
                .post,
                "/products",
                body: ["sku": "bad sku!", "name": "", "price": -1, "currency": "euro", "category": "Not A Slug", "stock": -5],
                token: manager
            )
            #expect(invalid.status == .unprocessableContent)
            #expect(Set(invalid.problemFields) == ["sku", "name", "price", "currency", "category", "stock"])
            let duplicate = try await client.json(.post, "/products", body: Self.product("MUG-1", "Other", price: 1), token: manager)
            #expect(duplicate.status == .conflict)
            let wrongType = try await client.json(.post, "/products", body: ["sku": "X", "name": "X", "price": "12.00"], token: manager)
            #expect(wrongType.problemFields == ["price"])
        }
    }

    @Test func listingFiltersSortsAndPaginates() async throws {
        try await TestPlatform.withService(ProductsService.self) { client, environment in
            _ = try await Self.seed(client, environment)
            let byPrice = try await client.json(.get, "/products?sort=price")
            #expect(names(byPrice) == ["Crème mug", "Cotton tee", "Tea pot"])
            #expect(byPrice.object["total"] as? Int == 3)
            #expect(names(try await client.json(.get, "/products?sort=-price&per_page=1&page=2")) == ["Cotton tee"])
            #expect(names(try await client.json(.get, "/products?category=clothing")) == ["Cotton tee"])
            #expect(names(try await client.json(.get, "/products?min_price=1500&max_price=3000")) == ["Cotton tee"])
            #expect(names(try await client.json(.get, "/products?sort=name")) == ["Cotton tee", "Crème mug", "Tea pot"])
            let bad = try await client.json(.get, "/products?sort=cheapest&min_price=-1")
            #expect(Set(bad.problemFields) == ["sort", "min_price"])
        }
    }

    @Test func fullTextSearchCoversNameSkuAndDescription() async throws {
        try await TestPlatform.withService(ProductsService.self) { client, environment in
            _ = try await Self.seed(client, environment)
            #expect(names(try await client.json(.get, "/products?q=teapot")) == ["Tea pot"])
            #expect(names(try await client.json(.get, "/products?q=creme")) == ["Crème mug"], "accents are ignored")
            #expect(names(try await client.json(.get, "/products?q=TEE-3")) == ["Cotton tee"])
            #expect(names(try await client.json(.get, "/products?q=stone%20cof")) == ["Crème mug"], "every word, as a prefix")
            #expect(names(try await client.json(.get, "/products?q=mug%20cotton")).isEmpty)
            let hostile = try await client.json(.get, "/products?q=%22)%20OR%201=1;%20DROP%20TABLE%20products;--%20NEAR(*")
            #expect(hostile.status == .ok)
            #expect(names(try await client.json(.get, "/products?sort=price")).count == 3, "still there")
        }
    }

    @Test func storesDoNotSeeEachOthersProducts() async throws {
        try await TestPlatform.withService(ProductsService.self) { client, environment in
            _ = try await Self.seed(client, environment)
            let other: HTTPFields = [.comptoirWebsiteId: UUID().uuidString]
            let list = try await client.json(.get, "/products", headers: other)
            #expect(list.object["total"] as? Int == 0)
            let mine = try await client.json(.get, "/products?q=mug")
            let id = try #require((mine.object["items"] as? [[String: Any]])?.first?["id"] as? String)
            #expect(try await client.json(.get, "/products/\(id)", headers: other).status == .notFound)
            #expect(try await client.json(.get, "/products/\(id)").status == .ok)
            #expect(try await client.json(.get, "/categories", headers: other).text == "[]")
        }
    }

    @Test func changesAreSeenThroughTheCache() async throws {
        try await TestPlatform.withService(ProductsService.self) { client, environment in
            let manager = try await Self.seed(client, environment)
            let id = try #require((try await client.json(.get, "/products?q=mug").object["items"] as? [[String: Any]])?.first?["id"] as? String)
            #expect(try await client.json(.get, "/products/\(id)").object["price"] as? Int == 1200)
            let patched = try await client.json(.patch, "/products/\(id)", body: ["price": 1500], token: manager)
            #expect(patched.object["price"] as? Int == 1500 && patched.object["name"] as? String == "Crème mug")
            #expect(try await client.json(.get, "/products/\(id)").object["price"] as? Int == 1500)
            let stock = try await client.json(.put, "/products/\(id)/stock", body: ["stock": 3], token: manager)
            #expect(stock.object["stock"] as? Int == 3)
            #expect(try await client.json(.get, "/products/\(id)").object["stock"] as? Int == 3)
            #expect(try await client.json(.put, "/products/\(id)/stock", body: ["stock": -1], token: manager).status == .unprocessableContent)
            #expect(try await client.json(.delete, "/products/\(id)", token: manager).status == .noContent)
            #expect(try await client.json(.get, "/products/\(id)").status == .notFound)
            #expect(names(try await client.json(.get, "/products?q=mug")).isEmpty)
            #expect(try await client.json(.get, "/products/\(UUID())").status == .notFound)
            #expect(try await client.json(.get, "/products/not-an-id").status == .notFound)
        }
    }

    /// Listings and categories are cached as their bodies: every kind of change is seen at once,
    /// and a listing cached for one store is not another store's.
    @Test func listingsAndCategoriesSeeEveryChangeThroughTheCache() async throws {
        try await TestPlatform.withService(ProductsService.self) { client, environment in
            let manager = try await Self.seed(client, environment)
            func mug() async throws -> [String: Any] {
                let list = try await client.json(.get, "/products?q=mug&per_page=5")
                return try #require((list.object["items"] as? [[String: Any]])?.first)
            }
            func kitchenCount() async throws -> Int? {
                let rows = try JSONSerialization.jsonObject(with: Data(try await client.json(.get, "/categories").body.readableBytesView))
                return (rows as? [[String: Any]])?.first { $0["slug"] as? String == "kitchen" }?["product_count"] as? Int
            }
            let id = try #require(try await mug()["id"] as? String)
            #expect(try await kitchenCount() == 2)
            #expect(try await client.json(.get, "/products", headers: [.comptoirWebsiteId: UUID().uuidString]).object["total"] as? Int == 0)
            _ = try await client.json(.patch, "/products/\(id)", body: ["price": 1500], token: manager)
            #expect(try await mug()["price"] as? Int == 1500)
            _ = try await client.json(.put, "/products/\(id)/stock", body: ["stock": 4], token: manager)
            #expect(try await mug()["stock"] as? Int == 4)
            let image = try await client.execute(
                uri: "/products/\(id)/images",
                method: .post,
                headers: [.authorization: "Bearer \(manager)", .contentType: "image/png"],
                body: ByteBuffer(bytes: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + (0..<500).map { UInt8($0 % 251) })
            )
            #expect(image.status == .created)
            #expect((try await mug()["images"] as? [String])?.count == 1)
            _ = try await client.json(.post, "/products", body: Self.product("PAN-4", "Mug rack", price: 900), token: manager)
            #expect(try await client.json(.get, "/products?q=mug").object["total"] as? Int == 2)
            #expect(try await kitchenCount() == 3)
            _ = try await client.json(.delete, "/products/\(id)", token: manager)
            #expect(names(try await client.json(.get, "/products?q=mug")) == ["Mug rack"])
            #expect(try await kitchenCount() == 2)
        }
    }

    @Test func categoriesCountTheirProducts() async throws {
        try await TestPlatform.withService(ProductsService.self) { client, environment in
            _ = try await Self.seed(client, environment)
            let categories = try await client.json(.get, "/categories")
            let rows = try #require(try JSONSerialization.jsonObject(with: Data(categories.body.readableBytesView)) as? [[String: Any]])
            let counts = Dictionary(uniqueKeysWithValues: rows.map { ($0["slug"] as! String, $0["product_count"] as! Int) })
            #expect(counts == ["kitchen": 2, "clothing": 1])
        }
    }

    @Test func imagesAreTypedByTheirBytesAndRoundTrip() async throws {
        try await TestPlatform.withService(ProductsService.self) { client, environment in
            let manager = try await Self.seed(client, environment)
            let id = try #require((try await client.json(.get, "/products?q=tea").object["items"] as? [[String: Any]])?.first?["id"] as? String)
            var png = ByteBuffer(bytes: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
            png.writeBytes((0..<5000).map { UInt8($0 % 251) })
            let uploaded = try await client.execute(
                uri: "/products/\(id)/images",
                method: .post,
                headers: [.contentType: "image/jpeg", .authorization: "Bearer \(manager)"],
                body: png
            )
            #expect(uploaded.status == .created)
            let url = try #require(uploaded.object["url"] as? String)
            let downloaded = try await client.execute(uri: String(url.dropFirst("/api/v1".count)), method: .get)
            #expect(downloaded.headers[.contentType] == "image/png", "the bytes say PNG, whatever the header said")
            #expect(downloaded.body == png)
            #expect((try await client.json(.get, "/products/\(id)").object["images"] as? [String]) == [url])
            let text = try await client.execute(
                uri: "/products/\(id)/images",
                method: .post,
                headers: [.contentType: "image/png", .authorization: "Bearer \(manager)"],
                body: ByteBuffer(string: "<svg onload=alert(1)>")
            )
            #expect(text.status == .unsupportedMediaType)
            let huge = try await client.execute(
                uri: "/products/\(id)/images",
                method: .post,
                headers: [.contentType: "image/png", .authorization: "Bearer \(manager)"],
                body: ByteBuffer(repeating: 0x89, count: (5 << 20) + 1)
            )
            #expect(huge.status == .contentTooLarge)
        }
    }
}
