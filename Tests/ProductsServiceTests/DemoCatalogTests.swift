import ComptoirKit
import ComptoirTesting
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import ProductsService
import Testing

/// The demo catalog of a first embedded start: 30 products in 5 categories, each with a picture.
@Suite struct DemoCatalogTests {
    @Test func demoCatalogIsLoadedWithPictures() async throws {
        try await TestPlatform.withService(ProductsService.self, loadDemoData: true) { client, _ in
            let all = try await client.json(.get, "/products?per_page=100")
            #expect(all.object["total"] as? Int == 30)
            let categories = try await client.json(.get, "/categories")
            let rows = try JSONSerialization.jsonObject(with: Data(categories.body.readableBytesView)) as? [[String: Any]] ?? []
            #expect(rows.count == 5 && rows.allSatisfy { $0["product_count"] as? Int == 6 })
            let items = all.object["items"] as? [[String: Any]] ?? []
            #expect(items.allSatisfy { ($0["images"] as? [String])?.count == 1 })
            let url = try #require((items.first?["images"] as? [String])?.first)
            let picture = try await client.execute(uri: String(url.dropFirst("/api/v1".count)), method: .get)
            #expect(picture.headers[.contentType] == "image/png")
            #expect(Array(picture.body.readableBytesView.prefix(8)) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
            #expect((try await client.json(.get, "/products?q=teapot").object["total"] as? Int) == 1)
        }
    }

    @Test func noDemoMeansAnEmptyCatalog() async throws {
        try await TestPlatform.withService(ProductsService.self) { client, _ in
            let products = try await client.json(.get, "/products")
            #expect(products.object["total"] as? Int == 0)
        }
    }
}
