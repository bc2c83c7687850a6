import FluentKit

struct CreateBasketLines: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(BasketLine.schema)
            .id()
            .field("user_id", .uuid, .required)
            .field("website_id", .uuid, .required)
            .field("product_id", .uuid, .required)
            .field("name", .string, .required)
            .field("unit_price", .int64, .required)
            .field("currency", .string, .required)
            .field("quantity", .int64, .required)
            .field("added_at", .datetime, .required)
            .unique(on: "user_id", "website_id", "product_id")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(BasketLine.schema).delete()
    }
}
