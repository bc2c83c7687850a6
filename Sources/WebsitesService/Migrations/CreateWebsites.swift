import FluentKit

struct CreateWebsites: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(Website.schema)
            .id()
            .field("code", .string, .required)
            .field("name", .string, .required)
            .field("domain", .string)
            .field("currency", .string, .required)
            .field("locale", .string, .required)
            .field("created_at", .datetime, .required)
            .field("updated_at", .datetime, .required)
            .unique(on: "code")
            .unique(on: "domain")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(Website.schema).delete()
    }
}
