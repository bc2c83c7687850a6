import ComptoirContracts
import ComptoirKit

/// The schemas and shared fragments of the deliveries service's endpoints (``DeliveryRoutes``
/// declares the endpoints themselves).
enum DeliveriesOpenAPI {
    static let status = OpenAPI.enumeration(DeliveryStatus.allCases.map(\.rawValue))
    static let events = OpenAPI.array(
        of: OpenAPI.object(["status": status, "description": OpenAPI.string, "at": OpenAPI.dateTime], required: ["status", "description", "at"])
    )
    static let updateBody = OpenAPI.object(
        [
            "status": OpenAPI.enumeration(DeliveryStatus.settableByAdmin.map(\.rawValue)), "carrier": OpenAPI.string,
            "estimated_delivery": OpenAPI.dateTime,
        ],
        required: ["status"]
    )
    static let id = OpenAPI.parameter("id", in: "path", OpenAPI.uuid)
    static let trackingNumber = OpenAPI.parameter("tracking_number", in: "path", OpenAPI.string)
    static let owner = OpenAPIBuilder.Access.roles([.customer])
    static let admin = OpenAPIBuilder.Access.roles([.admin])

    static func schemas(_ api: ServiceAPI) {
        api.schema(
            "Delivery",
            OpenAPI.object(
                [
                    "id": OpenAPI.uuid, "order_id": OpenAPI.uuid, "order_number": OpenAPI.string, "carrier": OpenAPI.string,
                    "tracking_number": OpenAPI.string,
                    "status": status, "estimated_delivery": OpenAPI.dateTime, "events": events, "created_at": OpenAPI.dateTime,
                    "updated_at": OpenAPI.dateTime,
                ],
                required: ["id", "order_id", "carrier", "tracking_number", "status", "events"]
            )
        )
        api.schema(
            "Tracking",
            OpenAPI.object(
                [
                    "tracking_number": OpenAPI.string, "carrier": OpenAPI.string, "status": status, "estimated_delivery": OpenAPI.dateTime,
                    "events": events,
                ],
                required: ["tracking_number", "carrier", "status", "events"]
            )
        )
    }
}
