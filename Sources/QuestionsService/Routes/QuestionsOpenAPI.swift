import ComptoirContracts
import ComptoirKit

/// The schemas and shared fragments of the questions service's endpoints (``QuestionRoutes``
/// declares the endpoints themselves).
enum QuestionsOpenAPI {
    static let body = OpenAPI.object(
        [
            "question": ["type": "string", "minLength": 5, "maxLength": 300], "answer": ["type": "string", "minLength": 1, "maxLength": 5000],
            "category": ["type": "string", "pattern": "^[a-z0-9]+(-[a-z0-9]+)*$"], "position": ["type": "integer", "minimum": 0],
        ],
        required: ["question", "answer", "category"]
    )
    static let category = OpenAPI.object(["slug": OpenAPI.string, "question_count": OpenAPI.integer], required: ["slug", "question_count"])
    static let id = OpenAPI.parameter("id", in: "path", OpenAPI.uuid)
    static let admin = OpenAPIBuilder.Access.roles([.admin])
    static let notFound = OpenAPI.problem("No such question")
    static let invalid = OpenAPI.problem("Invalid fields")

    static func schemas(_ api: ServiceAPI) {
        api.schema(
            "Question",
            OpenAPI.object(
                [
                    "id": OpenAPI.uuid, "question": OpenAPI.string, "answer": OpenAPI.string, "category": OpenAPI.string, "position": OpenAPI.integer,
                    "updated_at": OpenAPI.dateTime,
                ],
                required: ["id", "question", "answer", "category", "position"]
            )
        )
    }
}
