import FluentKit

/// Issue 16: `password_resets`, and the client address of each failed login, which the login
/// throttle counts per account and address instead of locking the account for everyone.
struct AddPasswordResets: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(PasswordReset.schema)
            .id()
            .field("user_id", .uuid, .required, .references(User.schema, .id, onDelete: .cascade))
            .field("token_digest", .string, .required)
            .field("created_at", .datetime, .required)
            .field("expires_at", .datetime, .required)
            .field("used_at", .datetime)
            .unique(on: "token_digest")
            .create()
        try await database.schema(LoginFailure.schema).field("source", .string).update()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(LoginFailure.schema).deleteField("source").update()
        try await database.schema(PasswordReset.schema).delete()
    }
}
