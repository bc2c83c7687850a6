import ComptoirContracts
import ComptoirKit

/// The newsletters service's OpenAPI document.
enum NewslettersOpenAPI {
    static var document: JSONValue {
        var api = OpenAPIBuilder(title: "Comptoir newsletters service", tag: "newsletters")
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
                    "id": OpenAPI.uuid, "subject": OpenAPI.string, "template_id": OpenAPI.uuid,
                    "status": OpenAPI.enumeration(["draft", "scheduled", "sending", "sent"]),
                    "scheduled_at": OpenAPI.nullable("string"), "started_at": OpenAPI.nullable("string"), "finished_at": OpenAPI.nullable("string"),
                    "sent_count": OpenAPI.integer, "created_at": OpenAPI.dateTime,
                ],
                required: ["id", "subject", "template_id", "status", "sent_count", "created_at"]
            )
        )
        let marketing = OpenAPIBuilder.Access.roles([.marketing])
        let id = OpenAPI.parameter("id", in: "path", OpenAPI.uuid)
        let token = OpenAPI.object(["token": ["type": "string", "minLength": 1]], required: ["token"])
        let badToken = OpenAPI.problem("A forged or malformed link")
        let expired = OpenAPI.problem("The link has expired")

        api.operation(
            "POST",
            "/newsletters/subscriptions",
            id: "subscribe",
            summary: "Subscribe an address: a confirmation mail is sent (double opt-in)",
            access: .public,
            body: OpenAPI.object(["email": ["type": "string", "format": "email", "maxLength": 254]], required: ["email"]),
            responses: [202: OpenAPI.empty("Accepted, whether or not the address was already subscribed")]
        )
        api.operation(
            "GET",
            "/newsletters/subscriptions/confirm",
            id: "confirm",
            summary: "Confirm a subscription from its mailed link",
            access: .public,
            parameters: [OpenAPI.parameter("token", OpenAPI.string, required: true)],
            responses: [200: OpenAPI.json(OpenAPI.ref("Subscription")), 400: badToken, 404: OpenAPI.problem("No such subscription"), 410: expired]
        )
        api.operation(
            "POST",
            "/newsletters/unsubscribe",
            id: "unsubscribe",
            summary: "Unsubscribe with the token of a mail's link (or ?token= for one-click)",
            access: .public,
            body: token,
            responses: [200: OpenAPI.json(OpenAPI.ref("Subscription")), 400: badToken, 410: expired]
        )

        api.operation(
            "GET",
            "/newsletters/templates",
            id: "templates",
            summary: "The store's mail templates, newest first",
            access: marketing,
            parameters: OpenAPI.pagination,
            responses: [200: OpenAPI.json(OpenAPI.page(of: "Template"))]
        )
        api.operation(
            "POST",
            "/newsletters/templates",
            id: "create_template",
            summary: "A Mustache template: subject, text part and optional HTML part",
            access: marketing,
            body: OpenAPI.object(
                [
                    "name": ["type": "string", "minLength": 1, "maxLength": 100], "subject": ["type": "string", "minLength": 1, "maxLength": 200],
                    "text": ["type": "string", "minLength": 1, "maxLength": 100_000], "html": ["type": ["string", "null"], "maxLength": 500_000],
                ],
                required: ["name", "subject", "text"]
            ),
            responses: [201: OpenAPI.json(OpenAPI.ref("Template"), "Created")]
        )
        api.operation(
            "GET",
            "/newsletters/templates/{id}",
            id: "template",
            summary: "One template",
            access: marketing,
            parameters: [id],
            responses: [200: OpenAPI.json(OpenAPI.ref("Template")), 404: OpenAPI.problem("No such template")]
        )
        api.operation(
            "POST",
            "/newsletters/templates/{id}/preview",
            id: "preview",
            summary: "The template rendered with sample values",
            access: marketing,
            parameters: [id],
            body: OpenAPI.object([
                "values": ["type": ["object", "null"], "additionalProperties": ["type": "string", "maxLength": 254], "maxProperties": 20]
            ]),
            responses: [
                200: OpenAPI.json(
                    OpenAPI.object(
                        ["subject": OpenAPI.string, "text": OpenAPI.string, "html": OpenAPI.nullable("string")],
                        required: ["subject", "text"]
                    )
                ), 404: OpenAPI.problem("No such template"),
            ]
        )

        api.operation(
            "GET",
            "/newsletters/campaigns",
            id: "campaigns",
            summary: "The store's campaigns, newest first",
            access: marketing,
            parameters: OpenAPI.pagination + [OpenAPI.parameter("status", OpenAPI.enumeration(["draft", "scheduled", "sending", "sent"]))],
            responses: [200: OpenAPI.json(OpenAPI.page(of: "Campaign"))]
        )
        api.operation(
            "POST",
            "/newsletters/campaigns",
            id: "create_campaign",
            summary: "A campaign from a template, a draft unless scheduled_at is given",
            access: marketing,
            body: OpenAPI.object(
                [
                    "subject": ["type": "string", "minLength": 1, "maxLength": 200], "template_id": OpenAPI.uuid,
                    "scheduled_at": ["type": ["string", "null"], "format": "date-time"],
                ],
                required: ["subject", "template_id"]
            ),
            responses: [201: OpenAPI.json(OpenAPI.ref("Campaign"), "Created")]
        )
        api.operation(
            "GET",
            "/newsletters/campaigns/{id}",
            id: "campaign",
            summary: "One campaign with its sent count",
            access: marketing,
            parameters: [id],
            responses: [200: OpenAPI.json(OpenAPI.ref("Campaign")), 404: OpenAPI.problem("No such campaign")]
        )
        api.operation(
            "POST",
            "/newsletters/campaigns/{id}/send",
            id: "send",
            summary: "Send now, or at scheduled_at",
            access: marketing,
            parameters: [id],
            body: OpenAPI.object(["scheduled_at": ["type": ["string", "null"], "format": "date-time"]]),
            responses: [
                202: OpenAPI.json(OpenAPI.ref("Campaign"), "Accepted"), 404: OpenAPI.problem("No such campaign"),
                409: OpenAPI.problem("Already sending or sent"),
            ]
        )

        api.operation(
            "GET",
            "/newsletters/mails",
            id: "mail_log",
            summary: "The outgoing mail log, newest first",
            access: .roles([.admin]),
            parameters: OpenAPI.pagination + [
                OpenAPI.parameter("to", ["type": "string", "format": "email"]), OpenAPI.parameter("reason", OpenAPI.string),
            ],
            responses: [200: OpenAPI.json(OpenAPI.page(of: "Mail"))]
        )
        return api.document
    }
}
