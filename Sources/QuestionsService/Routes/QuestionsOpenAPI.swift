import ComptoirContracts
import ComptoirKit

/// The questions service's OpenAPI document.
enum QuestionsOpenAPI {
    static var document: JSONValue {
        var api = OpenAPIBuilder(title: "Comptoir questions service", tag: "questions")
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
        let body = OpenAPI.object(
            [
                "question": ["type": "string", "minLength": 5, "maxLength": 300], "answer": ["type": "string", "minLength": 1, "maxLength": 5000],
                "category": ["type": "string", "pattern": "^[a-z0-9]+(-[a-z0-9]+)*$"], "position": ["type": "integer", "minimum": 0],
            ],
            required: ["question", "answer", "category"]
        )
        let id = OpenAPI.parameter("id", in: "path", OpenAPI.uuid)
        let admin = OpenAPIBuilder.Access.roles([.admin])
        let notFound = OpenAPI.problem("No such question")
        api.operation(
            "GET",
            "/questions",
            id: "list",
            summary: "The FAQ by category and position; q searches questions and answers",
            access: .public,
            parameters: OpenAPI.pagination + [OpenAPI.parameter("q", OpenAPI.string), OpenAPI.parameter("category", OpenAPI.string)],
            responses: [200: OpenAPI.json(OpenAPI.page(of: "Question")), 422: OpenAPI.problem("Bad query")]
        )
        api.operation(
            "GET",
            "/questions/categories",
            id: "categories",
            summary: "The FAQ's categories with their entry counts",
            access: .public,
            responses: [
                200: OpenAPI.json(
                    OpenAPI.array(
                        of: OpenAPI.object(["slug": OpenAPI.string, "question_count": OpenAPI.integer], required: ["slug", "question_count"])
                    )
                )
            ]
        )
        api.operation(
            "GET",
            "/questions/{id}",
            id: "show",
            summary: "One entry",
            access: .public,
            parameters: [id],
            responses: [200: OpenAPI.json(OpenAPI.ref("Question")), 404: notFound]
        )
        api.operation(
            "POST",
            "/questions",
            id: "create",
            summary: "Add an entry (last in its category unless a position is given)",
            access: admin,
            body: body,
            responses: [201: OpenAPI.json(OpenAPI.ref("Question"), "Created"), 422: OpenAPI.problem("Invalid fields")]
        )
        api.operation(
            "PUT",
            "/questions/{id}",
            id: "update",
            summary: "Replace an entry",
            access: admin,
            parameters: [id],
            body: body,
            responses: [200: OpenAPI.json(OpenAPI.ref("Question")), 404: notFound, 422: OpenAPI.problem("Invalid fields")]
        )
        api.operation(
            "DELETE",
            "/questions/{id}",
            id: "delete",
            summary: "Remove an entry",
            access: admin,
            parameters: [id],
            responses: [204: OpenAPI.empty("Deleted"), 404: notFound]
        )
        return api.document
    }
}
