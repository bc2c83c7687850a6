import ComptoirKit
import FluentKit
import Foundation

/// One entry of a store's FAQ.
final class Question: Model, @unchecked Sendable {
    static let schema = "questions"

    @ID(key: .id) var id: UUID?
    @Field(key: "website_id") var websiteId: UUID
    @Field(key: "question") var question: String
    @Field(key: "answer") var answer: String
    /// A slug such as `delivery`; entries are listed by category, then position.
    @Field(key: "category") var category: String
    @Field(key: "position") var position: Int
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "updated_at") var updatedAt: Date

    init() {}

    init(websiteId: UUID) {
        self.id = UUID()
        self.websiteId = websiteId
        self.createdAt = Date()
        self.updatedAt = createdAt
    }

    /// Question and answer, searched together (the question ranks higher on PostgreSQL).
    static let textIndex = FullTextIndex(table: schema, keyColumn: "question_id", columns: [.init("question"), .init("answer", weight: "B")])

    var indexedText: [String] { [question, answer] }
}

extension Question: WebsiteScoped {
    static var websiteIdKey: KeyPath<Question, FieldProperty<Question, UUID>> { \.$websiteId }
}
