import ComptoirKit
import FluentKit
import FluentSQL
import SQLKit

/// Products, categories, images, reservations, and the full-text index: FTS5 on SQLite, a
/// generated `tsvector` with a GIN index on PostgreSQL, behind the same search API.
struct CreateCatalog: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(Product.schema)
            .id()
            .field("website_id", .uuid, .required)
            .field("sku", .string, .required)
            .field("name", .string, .required)
            .field("description", .string, .required)
            .field("price", .int64, .required)
            .field("currency", .string, .required)
            .field("stock", .int64, .required)
            .field("category", .string)
            .field("created_at", .datetime, .required)
            .field("updated_at", .datetime, .required)
            .unique(on: "website_id", "sku")
            .constraint(.sql(unsafeRaw: "CHECK (stock >= 0)"))
            .create()
        try await database.schema(Category.schema)
            .id()
            .field("website_id", .uuid, .required)
            .field("slug", .string, .required)
            .field("name", .string, .required)
            .unique(on: "website_id", "slug")
            .create()
        try await database.schema(ProductImage.schema)
            .id()
            .field("product_id", .uuid, .required, .references(Product.schema, .id, onDelete: .cascade))
            .field("blob_key", .string, .required)
            .field("content_type", .string, .required)
            .field("size", .int64, .required)
            .field("created_at", .datetime, .required)
            .create()
        try await database.schema(StockReservation.schema)
            .id()
            .field("order_id", .uuid, .required)
            .field("product_id", .uuid, .required)
            .field("quantity", .int64, .required)
            .field("created_at", .datetime, .required)
            .field("released_at", .datetime)
            .unique(on: "order_id", "product_id")
            .create()
        let sql = database.sql
        try await sql.create(index: "products_listing").on(Product.schema).column("website_id").column("category").run()
        try await sql.create(index: "product_images_product").on(ProductImage.schema).column("product_id").run()
        try await Catalog.textIndex.create(on: database)
    }

    func revert(on database: any Database) async throws {
        try await Catalog.textIndex.drop(on: database)
        for schema in [StockReservation.schema, ProductImage.schema, Category.schema, Product.schema] {
            try await database.schema(schema).delete()
        }
    }
}
