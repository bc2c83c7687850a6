import ComptoirKit
import FluentKit
import Foundation
import SQLKit

/// Reads of the catalog, straight from SQL into response types (the hot paths), the full-text
/// index, and the product cache.
struct Catalog: Sendable {
    let database: ServiceDatabase
    let cache: any Cache
    static let cacheLifetime: Duration = .seconds(60)

    /// The filters and order of `GET /products`.
    struct Listing: Sendable {
        enum Sort: String, Sendable, CaseIterable {
            case price
            case priceDescending = "-price"
            case name
            case newest = "-created_at"
        }

        var search: String?
        var category: String?
        var minimumPrice: Int?
        var maximumPrice: Int?
        var sort: Sort = .newest
        var page = PageRequest()
    }

    private struct Record: Decodable {
        var id: UUID
        var sku: String
        var name: String
        var description: String
        var price: Int
        var currency: String
        var stock: Int
        var category: String?
        var createdAt: Date
    }

    var sql: any SQLDatabase { database.sql }

    func list(website: UUID, _ listing: Listing) async throws -> PagedList<ProductResponse> {
        let filters = filterExpressions(website: website, listing)
        let countQuery = sql.select().column(SQLFunction("COUNT", args: SQLLiteral.all), as: "total").from(Product.schema)
        for filter in filters { countQuery.where(filter) }
        let total = try await countQuery.first()?.decode(column: "total", as: Int.self) ?? 0
        let select = sql.select().columns("id", "sku", "name", "description", "price", "currency", "stock", "category", "created_at").from(
            Product.schema
        )
        for filter in filters { select.where(filter) }
        switch listing.sort {
        case .price: select.orderBy("price", .ascending)
        case .priceDescending: select.orderBy("price", .descending)
        case .name: select.orderBy("name", .ascending)
        case .newest: select.orderBy("created_at", .descending)
        }
        select.orderBy("id").limit(listing.page.perPage).offset(listing.page.offset)
        let records = try await select.all().map { try $0.decode(model: Record.self, keyDecodingStrategy: .convertFromSnakeCase) }
        let images = try await imageURLs(for: records.map(\.id))
        return PagedList(items: records.map { response($0, images: images[$0.id] ?? []) }, total: total, request: listing.page)
    }

    /// One product of the store, through the cache.
    func product(_ id: UUID, website: UUID) async throws -> ProductResponse? {
        let cached = try await cache.readThrough(Self.cacheKey(id), ttl: Self.cacheLifetime) { () -> CachedProduct? in
            guard
                let row = try await sql.select().columns(
                    "id",
                    "sku",
                    "name",
                    "description",
                    "price",
                    "currency",
                    "stock",
                    "category",
                    "created_at",
                    "website_id"
                )
                .from(Product.schema).where("id", .equal, id).first()
            else { return nil }
            let record = try row.decode(model: Record.self, keyDecodingStrategy: .convertFromSnakeCase)
            let owner = try row.decode(column: "website_id", as: UUID.self)
            return CachedProduct(websiteId: owner, product: response(record, images: try await imageURLs(for: [id])[id] ?? []))
        }
        guard let cached, cached.websiteId == website else { return nil }
        return cached.product
    }

    /// Forgets the cached copy after a change; called after the change committed.
    func invalidate(_ id: UUID) async {
        try? await cache.delete(Self.cacheKey(id))
    }

    func invalidate(_ ids: [UUID]) async {
        for id in Set(ids) { await invalidate(id) }
    }

    func categories(website: UUID) async throws -> [CategoryResponse] {
        let rows = try await sql.raw(
            """
            SELECT c.slug, c.name, (SELECT COUNT(*) FROM products p WHERE p.website_id = c.website_id AND p.category = c.slug) AS product_count
            FROM categories c WHERE c.website_id = \(bind: website) ORDER BY c.name
            """
        ).all()
        return try rows.map { try $0.decode(model: CategoryResponse.self, keyDecodingStrategy: .convertFromSnakeCase) }
    }

    /// Name, sku and description, searched as one (FTS5 on SQLite, tsvector on PostgreSQL).
    static let textIndex = FullTextIndex(
        table: Product.schema,
        keyColumn: "product_id",
        columns: [.init("sku"), .init("name"), .init("description", weight: "B")]
    )

    /// Keeps the full-text index in step with a product, inside the caller's transaction.
    func index(_ product: Product, on database: any Database) async throws {
        try await Self.textIndex.index(product.requireID(), values: [product.sku, product.name, product.description], on: database)
    }

    func unindex(_ id: UUID, on database: any Database) async throws {
        try await Self.textIndex.unindex(id, on: database)
    }

    private func filterExpressions(website: UUID, _ listing: Listing) -> [any SQLExpression] {
        var filters: [any SQLExpression] = [SQLBinaryExpression(SQLColumn("website_id"), .equal, SQLBind(website))]
        if let category = listing.category { filters.append(SQLBinaryExpression(SQLColumn("category"), .equal, SQLBind(category))) }
        if let minimum = listing.minimumPrice { filters.append(SQLBinaryExpression(SQLColumn("price"), .greaterThanOrEqual, SQLBind(minimum))) }
        if let maximum = listing.maximumPrice { filters.append(SQLBinaryExpression(SQLColumn("price"), .lessThanOrEqual, SQLBind(maximum))) }
        if let search = listing.search, let match = Self.textIndex.condition(matching: search, dialect: database.dialect) { filters.append(match) }
        return filters
    }

    private func imageURLs(for ids: [UUID]) async throws -> [UUID: [String]] {
        guard !ids.isEmpty else { return [:] }
        let rows = try await sql.select().columns("id", "product_id").from(ProductImage.schema)
            .where("product_id", .in, ids).orderBy("position").orderBy("created_at").all()
        var urls: [UUID: [String]] = [:]
        for row in rows {
            let product = try row.decode(column: "product_id", as: UUID.self)
            let image = try row.decode(column: "id", as: UUID.self)
            urls[product, default: []].append(Self.imageURL(product: product, image: image))
        }
        return urls
    }

    static func imageURL(product: UUID, image: UUID) -> String { "/api/v1/products/\(product)/images/\(image)" }

    private func response(_ record: Record, images: [String]) -> ProductResponse {
        ProductResponse(
            id: record.id,
            sku: record.sku,
            name: record.name,
            description: record.description,
            price: record.price,
            currency: record.currency,
            stock: record.stock,
            category: record.category,
            images: images,
            createdAt: record.createdAt
        )
    }

    private struct CachedProduct: Codable, Sendable {
        var websiteId: UUID
        var product: ProductResponse
    }

    static func cacheKey(_ id: UUID) -> String { "products:product:\(id)" }
}
