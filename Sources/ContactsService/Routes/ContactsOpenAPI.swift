import ComptoirContracts
import ComptoirKit

/// The schemas and shared fragments of the contacts service's endpoints (``ContactRoutes``
/// declares the endpoints themselves).
enum ContactsOpenAPI {
    static let topic = OpenAPI.enumeration(ContactForm.topics)
    static let form = OpenAPI.object(
        [
            "name": ["type": "string", "maxLength": 100], "email": ["type": "string", "format": "email"], "topic": topic,
            "message": ["type": "string", "minLength": 10, "maxLength": 5000],
            "website": ["type": "string", "description": "leave empty: a hidden field that only bots fill in"],
        ],
        required: ["name", "email", "topic", "message"]
    )
    static let receipt = OpenAPI.object(["id": OpenAPI.uuid, "status": OpenAPI.string], required: ["id", "status"])

    static func schemas(_ api: ServiceAPI) {
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
    }
}
