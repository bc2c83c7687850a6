import ComptoirKit
import FluentKit
import Foundation

/// `POST /questions` and `PUT /questions/{id}`.
struct QuestionRequest: Decodable, Sendable {
    var question: String
    var answer: String
    var category: String
    var position: Int?

    static let maximumPosition = 100_000

    /// Every rule at once; returns the trimmed values.
    func validated() throws -> QuestionRequest {
        var validator = Validator()
        validator.text(question, "question", length: 5...300)
        validator.text(answer, "answer", length: 1...5000)
        let slug = category.trimmingCharacters(in: .whitespaces).lowercased()
        validator.expect(
            slug.range(of: "^[a-z0-9]+(-[a-z0-9]+)*$", options: .regularExpression) != nil && slug.count <= 50,
            "category",
            "must be a slug of lower-case letters, digits and dashes (at most 50), such as delivery or returns"
        )
        if let position {
            validator.expect((0...Self.maximumPosition).contains(position), "position", "must be between 0 and \(Self.maximumPosition)")
        }
        try validator.check()
        var result = self
        result.question = question.trimmingCharacters(in: .whitespacesAndNewlines)
        result.answer = answer.trimmingCharacters(in: .whitespacesAndNewlines)
        result.category = slug
        return result
    }
}

/// A FAQ entry as the API shows it.
struct QuestionResponse: Codable, Sendable {
    var id: UUID
    var question: String
    var answer: String
    var category: String
    var position: Int
    var updatedAt: Date

    init(_ question: Question) throws {
        self.id = try question.requireID()
        self.question = question.question
        self.answer = question.answer
        self.category = question.category
        self.position = question.position
        self.updatedAt = question.updatedAt
    }
}

/// `GET /questions/categories`.
struct QuestionCategory: Codable, Sendable {
    var slug: String
    var questionCount: Int
}
