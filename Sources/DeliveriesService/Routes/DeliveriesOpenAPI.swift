import ComptoirContracts
import ComptoirKit

/// The deliveries service's OpenAPI document.
enum DeliveriesOpenAPI {
    static var document: JSONValue {
        var api = OpenAPIBuilder(title: "Comptoir deliveries service", tag: "deliveries")
        let status = OpenAPI.enumeration(DeliveryStatus.allCases.map(\.rawValue))
        let events = OpenAPI.array(
            of: OpenAPI.object(["status": status, "description": OpenAPI.string, "at": OpenAPI.dateTime], required: ["status", "description", "at"])
        )
        api.schema(
            "Delivery",
            OpenAPI.object(
                [
                    "id": OpenAPI.uuid, "order_id": OpenAPI.uuid, "order_number": OpenAPI.string, "carrier": OpenAPI.string,
                    "tracking_number": OpenAPI.string,
                    "status": status, "estimated_delivery": OpenAPI.dateTime, "events": events, "created_at": OpenAPI.dateTime,
                    "updated_at": OpenAPI.dateTime,
                ],
                required: ["id", "order_id", "carrier", "tracking_number", "status", "estimated_delivery", "events"]
            )
        )
        api.schema(
            "Tracking",
            OpenAPI.object(
                [
                    "tracking_number": OpenAPI.string, "carrier": OpenAPI.string, "status": status, "estimated_delivery": OpenAPI.dateTime,
                    "events": events,
                ],
                required: ["tracking_number", "carrier", "status", "estimated_delivery", "events"]
            )
        )
        api.operation(
            "GET",
            "/deliveries",
            id: "list",
            summary: "The caller's shipments, for one order or the latest 100",
            access: .roles([.customer]),
            parameters: [OpenAPI.parameter("order_id", OpenAPI.uuid)],
            responses: [200: OpenAPI.json(OpenAPI.array(of: OpenAPI.ref("Delivery"))), 422: OpenAPI.problem("order_id is not a UUID")]
        )
        api.operation(
            "GET",
            "/deliveries/track/{tracking_number}",
            id: "track",
            summary: "Track a parcel (no personal data)",
            access: .public,
            parameters: [OpenAPI.parameter("tracking_number", in: "path", OpenAPI.string)],
            responses: [200: OpenAPI.json(OpenAPI.ref("Tracking")), 404: OpenAPI.problem("Unknown tracking number")]
        )
        api.operation(
            "PATCH",
            "/deliveries/{id}",
            id: "update",
            summary: "Move a shipment along, or change its carrier or estimate",
            access: .roles([.admin]),
            parameters: [OpenAPI.parameter("id", in: "path", OpenAPI.uuid)],
            body: OpenAPI.object(
                [
                    "status": OpenAPI.enumeration(DeliveryStatus.settableByAdmin.map(\.rawValue)), "carrier": OpenAPI.string,
                    "estimated_delivery": OpenAPI.dateTime,
                ],
                required: ["status"]
            ),
            responses: [
                200: OpenAPI.json(OpenAPI.ref("Delivery")), 404: OpenAPI.problem("No such delivery"),
                409: OpenAPI.problem("Not a move the state machine allows"),
            ]
        )
        return api.document
    }
}
