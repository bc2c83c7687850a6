import ComptoirContracts
import ComptoirKit

/// The schemas and shared fragments of the newsletters service's endpoints (``MailLogRoutes``,
/// ``SubscriptionRoutes``, ``TemplateRoutes`` and ``CampaignRoutes`` declare the endpoints
/// themselves).
enum NewslettersOpenAPI {
    static let marketing = OpenAPIBuilder.Access.roles([.marketing])
    static let admin = OpenAPIBuilder.Access.roles([.admin])
    static let id = OpenAPI.parameter("id", in: "path", OpenAPI.uuid)
    static let subscriberStatus = OpenAPI.enumeration(["pending", "confirmed", "unsubscribed"])
    static let campaignStatus = OpenAPI.enumeration(["draft", "scheduled", "sending", "sent"])

    static let subscribeBody = OpenAPI.object(["email": ["type": "string", "format": "email", "maxLength": 254]], required: ["email"])
    static let token = OpenAPI.object(["token": ["type": "string", "minLength": 1]], required: ["token"])
    static let badToken = OpenAPI.problem("A forged or malformed link")
    static let expired = OpenAPI.problem("The link has expired")

    static let templateBody = OpenAPI.object(
        [
            "name": ["type": "string", "minLength": 1, "maxLength": 100], "subject": ["type": "string", "minLength": 1, "maxLength": 200],
            "text": ["type": "string", "minLength": 1, "maxLength": 100_000], "html": ["type": ["string", "null"], "maxLength": 500_000],
        ],
        required: ["name", "subject", "text"]
    )
    static let previewBody = OpenAPI.object([
        "values": ["type": ["object", "null"], "additionalProperties": ["type": "string", "maxLength": 254], "maxProperties": 20]
    ])
    static let draftPreviewBody = OpenAPI.object(
        [
            "subject": ["type": "string", "minLength": 1, "maxLength": 200], "text": ["type": "string", "minLength": 1, "maxLength": 100_000],
            "html": ["type": ["string", "null"], "maxLength": 500_000],
            "values": ["type": ["object", "null"], "additionalProperties": ["type": "string", "maxLength": 254], "maxProperties": 20],
        ],
        required: ["subject", "text"]
    )
    static let preview = OpenAPI.object(
        ["subject": OpenAPI.string, "text": OpenAPI.string, "html": OpenAPI.nullable("string")],
        required: ["subject", "text"]
    )
    static let noTemplate = OpenAPI.problem("No such template")

    static let campaignBody = OpenAPI.object(
        [
            "subject": ["type": "string", "minLength": 1, "maxLength": 200], "template_id": OpenAPI.uuid,
            "scheduled_at": ["type": ["string", "null"], "format": "date-time"],
        ],
        required: ["subject", "template_id"]
    )
    static let sendBody = OpenAPI.object(["scheduled_at": ["type": ["string", "null"], "format": "date-time"]])
    static let noCampaign = OpenAPI.problem("No such campaign")

    static func schemas(_ api: ServiceAPI) {
        api.schema(
            "Mail",
            OpenAPI.object(
                [
                    "id": OpenAPI.uuid, "to": OpenAPI.string, "subject": OpenAPI.string, "body_text": OpenAPI.string,
                    "reason": ["type": "string", "description": "the event type or campaign id that caused the mail"],
                    "status": OpenAPI.enumeration(["queued", "sent", "failed"]), "created_at": OpenAPI.dateTime,
                    "sent_at": OpenAPI.nullable("string"),
                ],
                required: ["id", "to", "subject", "body_text", "reason", "status", "created_at"]
            )
        )
        api.schema(
            "Subscriber",
            OpenAPI.object(
                [
                    "id": OpenAPI.uuid, "email": OpenAPI.string, "status": subscriberStatus, "created_at": OpenAPI.dateTime,
                    "confirmed_at": OpenAPI.dateTime, "unsubscribed_at": OpenAPI.dateTime,
                ],
                required: ["id", "email", "status", "created_at"]
            )
        )
        api.schema(
            "Subscription",
            OpenAPI.object(
                ["email": OpenAPI.string, "status": OpenAPI.enumeration(["pending", "confirmed", "unsubscribed"])],
                required: ["email", "status"]
            )
        )
        api.schema(
            "Template",
            OpenAPI.object(
                [
                    "id": OpenAPI.uuid, "name": OpenAPI.string, "subject": OpenAPI.string, "text": OpenAPI.string, "html": OpenAPI.nullable("string"),
                    "created_at": OpenAPI.dateTime,
                ],
                required: ["id", "name", "subject", "text", "created_at"]
            )
        )
        api.schema(
            "Campaign",
            OpenAPI.object(
                [
                    "id": OpenAPI.uuid, "subject": OpenAPI.string, "template_id": OpenAPI.uuid, "status": campaignStatus,
                    "scheduled_at": OpenAPI.nullable("string"), "started_at": OpenAPI.nullable("string"), "finished_at": OpenAPI.nullable("string"),
                    "sent_count": OpenAPI.integer, "created_at": OpenAPI.dateTime,
                ],
                required: ["id", "subject", "template_id", "status", "sent_count", "created_at"]
            )
        )
    }
}
