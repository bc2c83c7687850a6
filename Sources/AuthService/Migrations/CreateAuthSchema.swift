import FluentKit
import SQLKit

/// Users, refresh tokens, failed logins and the audit log.
struct CreateAuthSchema: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(User.schema)
            .id()
            .field("email", .string, .required)
            .field("name", .string, .required)
            .field("password_hash", .string, .required)
            .field("roles", .array(of: .string), .required)
            .field("website_id", .uuid)
            .field("created_at", .datetime, .required)
            .field("updated_at", .datetime, .required)
            .unique(on: "email")
            .create()
        try await database.schema(RefreshToken.schema)
            .id()
            .field("user_id", .uuid, .required, .references(User.schema, .id, onDelete: .cascade))
            .field("family_id", .uuid, .required)
            .field("token_hash", .string, .required)
            .field("created_at", .datetime, .required)
            .field("expires_at", .datetime, .required)
            .field("used_at", .datetime)
            .field("revoked_at", .datetime)
            .unique(on: "token_hash")
            .create()
        try await database.schema(LoginFailure.schema)
            .id()
            .field("user_id", .uuid, .required, .references(User.schema, .id, onDelete: .cascade))
            .field("at", .datetime, .required)
            .create()
        try await database.schema(AuditEntry.schema)
            .id()
            .field("action", .string, .required)
            .field("user_id", .uuid)
            .field("actor_id", .uuid)
            .field("ip", .string)
            .field("user_agent", .string)
            .field("detail", .string)
            .field("at", .datetime, .required)
            .create()
        if let sql = database as? any SQLDatabase {
            try await sql.create(index: "refresh_tokens_family").on(RefreshToken.schema).column("family_id").run()
            try await sql.create(index: "refresh_tokens_user").on(RefreshToken.schema).column("user_id").run()
            try await sql.create(index: "login_failures_user_at").on(LoginFailure.schema).column("user_id").column("at").run()
            try await sql.create(index: "audit_log_at").on(AuditEntry.schema).column("at").run()
            try await sql.create(index: "audit_log_user").on(AuditEntry.schema).column("user_id").run()
        }
    }

    func revert(on database: any Database) async throws {
        for schema in [AuditEntry.schema, LoginFailure.schema, RefreshToken.schema, User.schema] {
            try await database.schema(schema).delete()
        }
    }
}
