import ComptoirKit
import FluentKit
import SQLKit

struct CreateAddresses: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(Address.schema)
            .id()
            .field("user_id", .uuid, .required)
            .field("website_id", .uuid)
            .field("kind", .string, .required)
            .field("name", .string, .required)
            .field("line1", .string, .required)
            .field("line2", .string)
            .field("city", .string, .required)
            .field("region", .string)
            .field("postal_code", .string, .required)
            .field("country", .string, .required)
            .field("phone", .string)
            .field("is_default", .bool, .required)
            .field("created_at", .datetime, .required)
            .field("updated_at", .datetime, .required)
            .create()
        try await database.sql.create(index: "addresses_user").on(Address.schema).column("user_id").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(Address.schema).delete()
    }
}
