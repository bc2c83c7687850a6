import ComptoirContracts
import ComptoirKit
import FluentKit
import Foundation
import NIOCore
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

        /// The listing's part of a cache key; the free-text fields carry their length, so that no
        /// two listings share a name.
        var cacheName: String {
            let text = [search, category].map { $0.map { "\($0.utf8.count):\($0)" } ?? "-" }
            let prices = [minimumPrice, maximumPrice].map { $0.map(String.init) ?? "-" }
            return "\(sort.rawValue)|\(page.page)|\(page.perPage)|\(prices[0])|\(prices[1])|\(text[0])|\(text[1])"
        }
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

        /// The column names as they are: a key strategy would convert every column of every row
        /// (a sixth of a listing's time).
        enum CodingKeys: String, CodingKey {
            case id, sku, name, description, price, currency, stock, category
            case createdAt = "created_at"
        }
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
        let records = try await select.all().map { try $0.decode(model: Record.self) }
        let images = try await imageURLs(for: records.map(\.id))
        return PagedList(items: records.map { response($0, images: images[$0.id] ?? []) }, total: total, request: listing.page)
    }

    /// One product of the store as the body `GET /products/{id}` sends, through the cache.
    ///
    /// The cache holds those very bytes, after the owning store's id (16 bytes), so a hit is
    /// neither decoded nor encoded again — that was most of a cached read's cost — and a product
    /// of another store is still not found.
    func productBody(_ id: UUID, website: UUID) async throws -> ByteBuffer? {
        let entry = try await cache.readThroughBytes(Self.cacheKey(id), ttl: Self.cacheLifetime) { () -> [UInt8]? in
            guard let (owner, product) = try await load(id) else { return nil }
            return withUnsafeBytes(of: owner.uuid) { Array($0) } + Array(try WireJSON.makeEncoder().encode(product))
        }
        guard let entry, entry.count > Self.ownerLength, Self.owner(of: entry) == website else { return nil }
        return ByteBuffer(bytes: entry[Self.ownerLength...])
    }

    /// One product of the store, through the cache.
    func product(_ id: UUID, website: UUID) async throws -> ProductResponse? {
        guard let body = try await productBody(id, website: website) else { return nil }
        return try WireJSON.makeDecoder().decode(ProductResponse.self, from: Data(body.readableBytesView))
    }

    /// The product and the store that owns it, from the database.
    private func load(_ id: UUID) async throws -> (owner: UUID, product: ProductResponse)? {
        let columns = ["id", "sku", "name", "description", "price", "currency", "stock", "category", "created_at", "website_id"]
        guard let row = try await sql.select().columns(columns).from(Product.schema).where("id", .equal, id).first() else { return nil }
        let record = try row.decode(model: Record.self)
        let owner = try row.decode(column: "website_id", as: UUID.self)
        return (owner, response(record, images: try await imageURLs(for: [id])[id] ?? []))
    }

    /// A cache entry starts with the owning store's id, as its 16 bytes.
    private static let ownerLength = 16

    private static func owner(of entry: [UInt8]) -> UUID {
        var uuid = UUID().uuid
        withUnsafeMutableBytes(of: &uuid) { $0.copyBytes(from: entry[0..<ownerLength]) }
        return UUID(uuid: uuid)
    }

    /// Forgets the cached copy after a change, and every cached listing; called after the change committed.
    func invalidate(_ id: UUID) async {
        await invalidate([id])
    }

    func invalidate(_ ids: [UUID]) async {
        let ids = Set(ids)
        guard !ids.isEmpty else { return }
        for id in ids { try? await cache.delete(Self.cacheKey(id)) }
        try? await cache.delete(Self.listingsKey)
    }

    /// `GET /products` as the body it sends, through the cache (``cachedListing(_:load:)``).
    func listBody(website: UUID, _ listing: Listing) async throws -> ByteBuffer {
        try await cachedListing("list:\(website):\(listing.cacheName)") { try await list(website: website, listing) }
    }

    /// `GET /products/categories` as the body it sends, through the cache.
    func categoriesBody(website: UUID) async throws -> ByteBuffer {
        try await cachedListing("categories:\(website)") { try await categories(website: website) }
    }

    /// Listings change with any product, so their entries are filed under the generation of one
    /// key that every change deletes (which moves it on): a change retires them all at once, and
    /// a listing read before it and stored after is filed under the old generation, never read again.
    /// When the cache cannot be used, the listing is read from the database.
    private func cachedListing<T: Encodable & Sendable>(_ name: String, load: () async throws -> T) async throws -> ByteBuffer {
        guard name.utf8.count <= 512, case .miss(let generation)? = try? await cache.lookup(Self.listingsKey) else {
            return ByteBuffer(bytes: try WireJSON.makeEncoder().encode(try await load()))
        }
        let body = try await cache.readThroughBytes("products:listing:\(generation):\(name)", ttl: Self.cacheLifetime) {
            Array(try WireJSON.makeEncoder().encode(try await load()))
        }
        return ByteBuffer(bytes: body ?? [])
    }

    /// Never set, only deleted: its generation is the version of every cached listing.
    static let listingsKey = "products:listings"

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

    /// `v2`: the entries are the response's bytes; the JSON entries of earlier builds, which a
    /// rolling update leaves in a shared Redis, are not read as such.
    static func cacheKey(_ id: UUID) -> String { "products:product:v2:\(id)" }
}
