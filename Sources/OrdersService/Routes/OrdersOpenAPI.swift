import ComptoirContracts
import ComptoirKit

/// The schemas and shared fragments of the orders service's endpoints (``OrderRoutes``
/// declares the endpoints themselves).
enum OrdersOpenAPI {
    static let status = OpenAPI.enumeration(OrderStatus.allCases.map(\.rawValue))
    static let customer = OpenAPIBuilder.Access.roles([.customer])
    static let order = OpenAPI.json(OpenAPI.ref("Order"))
    static let id = OpenAPI.parameter("id", in: "path", OpenAPI.uuid)
    static let notFound = OpenAPI.problem("No such order (or not yours)")
    static let idempotencyKey = OpenAPI.parameter(
        "Idempotency-Key",
        in: "header",
        ["type": "string", "maxLength": 255, "description": "the same key from the same user returns the first order"]
    )
    static let checkoutBody = OpenAPI.object(
        ["shipping_address_id": OpenAPI.uuid, "billing_address_id": OpenAPI.uuid],
        required: ["shipping_address_id"]
    )
    static let listParameters: [JSONValue] =
        OpenAPI.pagination + [
            OpenAPI.parameter("status", status),
            OpenAPI.parameter("user_id", ["type": "string", "format": "uuid", "description": "admin and support only"]),
            OpenAPI.parameter("number", ["type": "string", "description": "admin and support only"]),
            OpenAPI.parameter("customer_email", ["type": "string", "description": "admin and support only"]),
            OpenAPI.parameter("from", ["type": "string", "description": "placed at or after: RFC 3339, or a UTC day YYYY-MM-DD"]),
            OpenAPI.parameter("to", ["type": "string", "description": "placed before: RFC 3339, or up to the end of a UTC day YYYY-MM-DD"]),
        ]
    static let cancelBody = OpenAPI.object(
        [
            "reason": [
                "type": "string", "maxLength": .number(Double(CancelRequest.maximumReasonLength)),
                "description": "an admin's reason, shown to the customer",
            ]
        ]
    )

    static func schemas(_ api: ServiceAPI) {
        let address = OpenAPI.object(
            [
                "id": OpenAPI.uuid, "name": OpenAPI.string, "line1": OpenAPI.string, "line2": OpenAPI.nullable("string"), "city": OpenAPI.string,
                "region": OpenAPI.nullable("string"), "postal_code": OpenAPI.string, "country": OpenAPI.string, "phone": OpenAPI.nullable("string"),
            ],
            required: ["id", "name", "line1", "city", "postal_code", "country"]
        )
        api.schema(
            "Order",
            OpenAPI.object(
                [
                    "id": OpenAPI.uuid, "number": ["type": "string", "description": "human-readable, such as 2026-000042"], "status": status,
                    "user_id": OpenAPI.uuid, "customer_name": OpenAPI.string, "customer_email": OpenAPI.string,
                    "lines": OpenAPI.array(
                        of: OpenAPI.object(
                            [
                                "product_id": OpenAPI.uuid, "name": OpenAPI.string, "unit_price": OpenAPI.integer, "quantity": OpenAPI.integer,
                                "line_total": OpenAPI.integer,
                            ],
                            required: ["product_id", "name", "unit_price", "quantity", "line_total"]
                        )
                    ),
                    "total": ["type": "integer", "description": "minor units of currency, computed by the server"], "currency": OpenAPI.string,
                    "shipping_address": address, "billing_address": address,
                    "status_history": OpenAPI.array(
                        of: OpenAPI.object(
                            ["status": status, "at": OpenAPI.dateTime, "note": OpenAPI.nullable("string")],
                            required: ["status", "at"]
                        )
                    ),
                    "cancel_reason": OpenAPI.nullable("string"), "created_at": OpenAPI.dateTime, "updated_at": OpenAPI.dateTime,
                ],
                required: [
                    "id", "number", "status", "user_id", "customer_name", "customer_email", "lines", "total", "currency", "status_history",
                    "created_at", "updated_at",
                ]
            )
        )
    }
}
