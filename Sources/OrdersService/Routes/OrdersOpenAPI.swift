import ComptoirContracts
import ComptoirKit

/// The orders service's OpenAPI document.
enum OrdersOpenAPI {
    static var document: JSONValue {
        var api = OpenAPIBuilder(title: "Comptoir orders service", tag: "orders")
        let address = OpenAPI.object(
            [
                "id": OpenAPI.uuid, "name": OpenAPI.string, "line1": OpenAPI.string, "line2": OpenAPI.nullable("string"), "city": OpenAPI.string,
                "region": OpenAPI.nullable("string"), "postal_code": OpenAPI.string, "country": OpenAPI.string, "phone": OpenAPI.nullable("string"),
            ],
            required: ["id", "name", "line1", "city", "postal_code", "country"]
        )
        let status = OpenAPI.enumeration(OrderStatus.allCases.map(\.rawValue))
        api.schema(
            "Order",
            OpenAPI.object(
                [
                    "id": OpenAPI.uuid, "number": ["type": "string", "description": "human-readable, such as 2026-000042"], "status": status,
                    "user_id": OpenAPI.uuid,
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
                required: ["id", "number", "status", "user_id", "lines", "total", "currency", "status_history", "created_at", "updated_at"]
            )
        )
        let customer = OpenAPIBuilder.Access.roles([.customer])
        let order = OpenAPI.json(OpenAPI.ref("Order"))
        let id = OpenAPI.parameter("id", in: "path", OpenAPI.uuid)
        let notFound = OpenAPI.problem("No such order (or not yours)")
        api.operation(
            "POST",
            "/orders",
            id: "checkout",
            summary: "Check out the basket: a pending order; the saga confirms or cancels it",
            access: customer,
            parameters: [
                OpenAPI.parameter(
                    "Idempotency-Key",
                    in: "header",
                    ["type": "string", "maxLength": 255, "description": "the same key from the same user returns the first order"]
                )
            ],
            body: OpenAPI.object(["shipping_address_id": OpenAPI.uuid, "billing_address_id": OpenAPI.uuid], required: ["shipping_address_id"]),
            responses: [
                201: OpenAPI.json(OpenAPI.ref("Order"), "Placed (or the first result for this Idempotency-Key, with Idempotent-Replayed: true)"),
                409: OpenAPI.problem("Empty basket, a changed price, or a key reused for another request"),
                422: OpenAPI.problem("Unknown address or bad Idempotency-Key"), 502: OpenAPI.problem("A service needed for checkout is down"),
                504: OpenAPI.problem("A service needed for checkout is too slow"),
            ]
        )
        api.operation(
            "GET",
            "/orders",
            id: "list",
            summary: "The caller's orders, newest first (admin: every order, filtered)",
            access: customer,
            parameters: OpenAPI.pagination + [
                OpenAPI.parameter("status", status), OpenAPI.parameter("user_id", ["type": "string", "format": "uuid", "description": "admin only"]),
                OpenAPI.parameter("number", ["type": "string", "description": "admin only"]),
            ],
            responses: [200: OpenAPI.json(OpenAPI.page(of: "Order")), 422: OpenAPI.problem("Bad filter")]
        )
        api.operation(
            "GET",
            "/orders/{id}",
            id: "show",
            summary: "One order with its lines and history",
            access: customer,
            parameters: [id],
            responses: [200: order, 404: notFound]
        )
        api.operation(
            "POST",
            "/orders/{id}/cancel",
            id: "cancel",
            summary: "Cancel a pending or confirmed order; its stock is released",
            access: customer,
            parameters: [id],
            responses: [200: order, 404: notFound, 409: OpenAPI.problem("Already shipped, delivered or cancelled")]
        )
        return api.document
    }
}
