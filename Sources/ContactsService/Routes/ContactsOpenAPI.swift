import ComptoirContracts
import ComptoirKit

/// The contacts service's OpenAPI document.
enum ContactsOpenAPI {
    static var document: JSONValue {
        var api = OpenAPIBuilder(title: "Comptoir contacts service", tag: "contacts")
        let topic = OpenAPI.enumeration(ContactForm.topics)
        api.schema(
            "ContactMessage",
            OpenAPI.object(
                [
                    "id": OpenAPI.uuid, "name": OpenAPI.string, "email": OpenAPI.string, "topic": topic, "message": OpenAPI.string,
                    "routed_to": OpenAPI.string, "client_ip": OpenAPI.nullable("string"), "created_at": OpenAPI.dateTime,
                ],
                required: ["id", "name", "email", "topic", "message", "routed_to", "created_at"]
            )
        )
        api.operation(
            "POST",
            "/contacts",
            id: "send",
            summary: "Send the contact form (rate limited per address)",
            access: .public,
            body: OpenAPI.object(
                [
                    "name": ["type": "string", "maxLength": 100], "email": ["type": "string", "format": "email"], "topic": topic,
                    "message": ["type": "string", "minLength": 10, "maxLength": 5000],
                    "website": ["type": "string", "description": "leave empty: a hidden field that only bots fill in"],
                ],
                required: ["name", "email", "topic", "message"]
            ),
            responses: [
                202: OpenAPI.json(
                    OpenAPI.object(["id": OpenAPI.uuid, "status": OpenAPI.string], required: ["id", "status"]),
                    "Received; the team is mailed"
                ),
                422: OpenAPI.problem("Invalid fields"), 429: OpenAPI.problem("Too many messages from this address (Retry-After)"),
            ]
        )
        api.operation(
            "GET",
            "/contacts",
            id: "list",
            summary: "Messages received, newest first",
            access: .roles([.admin]),
            parameters: OpenAPI.pagination + [OpenAPI.parameter("topic", topic)],
            responses: [200: OpenAPI.json(OpenAPI.page(of: "ContactMessage")), 422: OpenAPI.problem("Bad filter")]
        )
        return api.document
    }
}
