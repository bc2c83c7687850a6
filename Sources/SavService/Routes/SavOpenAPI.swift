import ComptoirContracts
import ComptoirKit

/// The sav service's OpenAPI document.
enum SavOpenAPI {
    static var document: JSONValue {
        var api = OpenAPIBuilder(title: "Comptoir sav (support) service", tag: "sav")
        let status = OpenAPI.enumeration(TicketStatus.allCases.map(\.rawValue))
        let attachment = OpenAPI.object(
            [
                "id": OpenAPI.uuid, "filename": OpenAPI.string, "content_type": OpenAPI.string, "size": OpenAPI.integer,
                "created_at": OpenAPI.dateTime,
            ],
            required: ["id", "filename", "size"]
        )
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
                                "body": OpenAPI.string,
                                "created_at": OpenAPI.dateTime,
                            ],
                            required: ["id", "author_role", "body", "created_at"]
                        )
                    ),
                    "attachments": OpenAPI.array(of: attachment), "created_at": OpenAPI.dateTime, "updated_at": OpenAPI.dateTime,
                ],
                required: ["id", "number", "status", "subject", "messages", "attachments", "created_at"]
            )
        )
        let people = OpenAPIBuilder.Access.roles([.customer, .support])
        let ticket = OpenAPI.json(OpenAPI.ref("Ticket"))
        let id = OpenAPI.parameter("id", in: "path", OpenAPI.uuid)
        let notFound = OpenAPI.problem("No such ticket (or not yours)")
        api.operation(
            "POST",
            "/sav/tickets",
            id: "open",
            summary: "Open a ticket, optionally about one of your orders",
            access: .roles([.customer]),
            body: OpenAPI.object(
                ["subject": ["type": "string", "maxLength": 200], "message": ["type": "string", "maxLength": 10000], "order_id": OpenAPI.uuid],
                required: ["subject", "message"]
            ),
            responses: [
                201: OpenAPI.json(OpenAPI.ref("Ticket"), "Opened; the support team is mailed"),
                422: OpenAPI.problem("Invalid fields or not your order"),
            ]
        )
        api.operation(
            "GET",
            "/sav/tickets",
            id: "list",
            summary: "Your tickets (agents: all, by status and assignee)",
            access: people,
            parameters: OpenAPI.pagination + [
                OpenAPI.parameter("status", status),
                OpenAPI.parameter("assignee", ["type": "string", "description": "an agent's id, or none (agents only)"]),
            ],
            responses: [200: OpenAPI.json(OpenAPI.page(of: "Ticket")), 422: OpenAPI.problem("Bad filter")]
        )
        api.operation(
            "GET",
            "/sav/tickets/{id}",
            id: "show",
            summary: "One ticket with its thread and files",
            access: people,
            parameters: [id],
            responses: [200: ticket, 404: notFound]
        )
        api.operation(
            "PATCH",
            "/sav/tickets/{id}",
            id: "update",
            summary: "Change the status or the assignee (null unassigns)",
            access: .roles([.support]),
            parameters: [id],
            body: OpenAPI.object(["status": status, "assignee_id": OpenAPI.nullable("string")]),
            responses: [
                200: ticket, 404: notFound, 409: OpenAPI.problem("Not a move the state machine allows"), 422: OpenAPI.problem("Invalid fields"),
            ]
        )
        api.operation(
            "POST",
            "/sav/tickets/{id}/messages",
            id: "reply",
            summary: "Add a message (an agent's reply is mailed to the customer)",
            access: people,
            parameters: [id],
            body: OpenAPI.object(["body": ["type": "string", "maxLength": 10000]], required: ["body"]),
            responses: [201: ticket, 404: notFound, 409: OpenAPI.problem("The ticket is closed")]
        )
        api.operation(
            "POST",
            "/sav/tickets/{id}/attachments",
            id: "attach",
            summary: "Attach a file: raw body, Content-Type and X-Filename, at most 10 MiB",
            access: people,
            parameters: [id, OpenAPI.parameter("X-Filename", in: "header", OpenAPI.string, required: true)],
            responses: [
                201: OpenAPI.json(attachment, "Stored"), 404: notFound, 413: OpenAPI.problem("Over 10 MiB"),
                422: OpenAPI.problem("Missing X-Filename or Content-Type"),
            ]
        )
        api.operation(
            "GET",
            "/sav/tickets/{id}/attachments/{attachment_id}",
            id: "attachment",
            summary: "An attachment's bytes, as a download",
            access: people,
            parameters: [id, OpenAPI.parameter("attachment_id", in: "path", OpenAPI.uuid)],
            responses: [200: ["description": "The file", "content": ["application/octet-stream": [:]]], 404: OpenAPI.problem("No such attachment")]
        )
        return api.document
    }
}
