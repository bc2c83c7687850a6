import ComptoirKit

/// The newsletters service's OpenAPI document.
enum NewslettersOpenAPI {
    static var document: JSONValue {
        var api = OpenAPIBuilder(title: "Comptoir newsletters service", tag: "newsletters")
        api.schema(
            "Mail",
            OpenAPI.object(
                ["id": OpenAPI.uuid, "to": OpenAPI.string, "subject": OpenAPI.string, "body_text": OpenAPI.string,
                 "reason": ["type": "string", "description": "the event type or campaign id that caused the mail"],
                 "status": OpenAPI.enumeration(["queued", "sent", "failed"]), "created_at": OpenAPI.dateTime, "sent_at": OpenAPI.nullable("string")],
                required: ["id", "to", "subject", "body_text", "reason", "status", "created_at"]))
        api.operation("GET", "/newsletters/mails", id: "mail_log", summary: "The outgoing mail log, newest first", access: .roles([.admin]),
            parameters: OpenAPI.pagination + [OpenAPI.parameter("to", ["type": "string", "format": "email"]), OpenAPI.parameter("reason", OpenAPI.string)],
            responses: [200: OpenAPI.json(OpenAPI.page(of: "Mail"))])
        return api.document
    }
}
