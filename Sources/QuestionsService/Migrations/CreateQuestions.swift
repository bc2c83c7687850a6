import ComptoirKit
import FluentKit
import SQLKit

struct CreateQuestions: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(Question.schema)
            .id()
            .field("website_id", .uuid, .required)
            .field("question", .string, .required)
            .field("answer", .string, .required)
            .field("category", .string, .required)
            .field("position", .int64, .required)
            .field("created_at", .datetime, .required)
            .field("updated_at", .datetime, .required)
            .create()
        try await database.sql.create(index: "questions_listing").on(Question.schema)
            .column("website_id").column("category").column("position").run()
        try await Question.textIndex.create(on: database)
    }

    func revert(on database: any Database) async throws {
        try await Question.textIndex.drop(on: database)
        try await database.schema(Question.schema).delete()
    }
}
