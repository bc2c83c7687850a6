import ComptoirContracts
import ComptoirKit

/// The schemas and shared fragments of the sav service's endpoints (``TicketRoutes`` and
/// ``AttachmentRoutes`` declare the endpoints themselves).
enum SavOpenAPI {
    static let status = OpenAPI.enumeration(TicketStatus.allCases.map(\.rawValue))
    static let attachment = OpenAPI.object(
        [
            "id": OpenAPI.uuid, "filename": OpenAPI.string, "content_type": OpenAPI.string, "size": OpenAPI.integer,
            "created_at": OpenAPI.dateTime,
        ],
        required: ["id", "filename", "size"]
    )
    /// Customers (their own tickets) and agents (every ticket).
    static let people = OpenAPIBuilder.Access.roles([.customer, .support])
    static let ticket = OpenAPI.json(OpenAPI.ref("Ticket"))
    static let id = OpenAPI.parameter("id", in: "path", OpenAPI.uuid)
    static let notFound = OpenAPI.problem("No such ticket (or not yours)")

    static func schemas(_ api: ServiceAPI) {
        api.schema(
            "Ticket",
            OpenAPI.object(
                [
                    "id": OpenAPI.uuid, "number": ["type": "string", "description": "such as T2026-000042"], "status": status,
                    "subject": OpenAPI.string,
                    "user_id": OpenAPI.uuid, "customer_name": OpenAPI.string, "assignee_id": OpenAPI.nullable("string"),
                    "order_id": OpenAPI.nullable("string"),
                    "messages": OpenAPI.array(
                        of: OpenAPI.object(
                            [
                                "id": OpenAPI.uuid, "author_id": OpenAPI.uuid, "author_role": OpenAPI.enumeration(["customer", "support"]),
                                "author_name": ["type": "string", "description": "the customer's name, or the support team's"],
                                "body": OpenAPI.string,
                                "created_at": OpenAPI.dateTime,
                            ],
                            required: ["id", "author_role", "author_name", "body", "created_at"]
                        )
                    ),
                    "attachments": OpenAPI.array(of: attachment), "created_at": OpenAPI.dateTime, "updated_at": OpenAPI.dateTime,
                ],
                required: ["id", "number", "status", "subject", "messages", "attachments", "created_at"]
            )
        )
    }
}
