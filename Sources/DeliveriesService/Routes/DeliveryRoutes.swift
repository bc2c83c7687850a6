import ComptoirContracts
import ComptoirKit
import FluentKit
import Foundation
import Hummingbird

/// Shipments: their owner sees them by order, anyone may track one by its number (without
/// personal data), support reads them all (the desk answers "where is my parcel?"), and admins
/// move them along.
struct DeliveryRoutes: Sendable {
    let environment: ServiceEnvironment

    var database: any Database { environment.database.fluent }

    /// Most shipments one list returns (the API's shape is a plain array).
    static let listLimit = 100
    /// How far ahead an estimate may be set: parcels take days, so a date years away (the decoder
    /// takes any up to 9999-12-31) is a typing mistake, refused rather than shown to the customer.
    static let maximumEstimateAhead: TimeInterval = 366 * 86_400

    func declare(_ api: ServiceAPI) {
        typealias Doc = DeliveriesOpenAPI
        Doc.schemas(api)
        api.endpoint(
            .get,
            "/deliveries",
            id: "list",
            summary: "The caller's shipments, for one order or the latest 100 (admin and support: anyone's)",
            access: Doc.owner,
            parameters: [OpenAPI.parameter("order_id", OpenAPI.uuid)],
            responses: [200: OpenAPI.json(OpenAPI.array(of: OpenAPI.ref("Delivery"))), 422: OpenAPI.problem("order_id is not a UUID")],
            use: list
        )
        api.endpoint(
            .get,
            "/deliveries/track/{tracking_number}",
            id: "track",
            summary: "Track a parcel (no personal data)",
            access: .public,
            parameters: [Doc.trackingNumber],
            responses: [200: OpenAPI.json(OpenAPI.ref("Tracking")), 404: OpenAPI.problem("Unknown tracking number")],
            use: track
        )
        api.endpoint(
            .patch,
            "/deliveries/{id}",
            id: "update",
            summary: "Move a shipment along, or change its carrier or estimate",
            access: Doc.admin,
            parameters: [Doc.id],
            body: Doc.updateBody,
            responses: [
                200: OpenAPI.json(OpenAPI.ref("Delivery")), 404: OpenAPI.problem("No such delivery"),
                409: OpenAPI.problem("Not a move the state machine allows"),
            ],
            use: update
        )
    }

    /// `?order_id=` gives that order's shipments; without it, the caller's latest. Another
    /// customer's order simply has none.
    @Sendable func list(_ request: Request, context: ComptoirRequestContext) async throws -> JSONResponse<[DeliveryResponse]> {
        let principal = try context.requirePrincipal()
        var query = Delivery.query(on: database).filter(\.$websiteId == context.website)
        if let raw = request.uri.queryParameters["order_id"] {
            guard let orderId = UUID(uuidString: String(raw)) else {
                throw ProblemError.validation([.init(field: "order_id", message: "must be a UUID")])
            }
            query = query.filter(\.$orderId == orderId)
        }
        if !principal.hasAny([.admin, .support]) { query = query.filter(\.$userId == (try principal.requireUser())) }
        let deliveries = try await query.with(\.$events).sort(\.$createdAt, .descending).limit(Self.listLimit).all()
        return JSONResponse(try deliveries.map(DeliveryResponse.init))
    }

    @Sendable func track(_ request: Request, context: ComptoirRequestContext) async throws -> JSONResponse<TrackingResponse> {
        let number = context.parameters.get("tracking_number")?.uppercased() ?? ""
        guard number.count <= 40,
            let delivery = try await Delivery.query(on: database).filter(\.$trackingNumber == number).with(\.$events).first()
        else { throw ProblemError.notFound("tracking number") }
        return JSONResponse(TrackingResponse(delivery))
    }

    /// Admin: a new status (along the state machine), a carrier or an estimate.
    @Sendable func update(_ request: Request, context: ComptoirRequestContext) async throws -> JSONResponse<DeliveryResponse> {
        let delivery = try await Delivery.find(in: context, on: database, notFound: "delivery") { $0.with(\.$events) }
        let id = try delivery.requireID()
        let body = try await request.decodeJSON(as: DeliveryUpdateRequest.self, context: context)
        var validator = Validator()
        let status = DeliveryStatus(rawValue: body.status).flatMap { DeliveryStatus.settableByAdmin.contains($0) ? $0 : nil }
        validator.expect(status != nil, "status", "must be one of \(DeliveryStatus.settableByAdmin.map(\.rawValue).joined(separator: ", "))")
        if let carrier = body.carrier { validator.text(carrier, "carrier", length: 1...100) }
        if let estimate = body.estimatedDelivery {
            validator.expect(
                estimate > delivery.createdAt.addingTimeInterval(-86_400),
                "estimated_delivery",
                "must not be before the shipment was opened"
            )
            validator.expect(estimate <= Date().addingTimeInterval(Self.maximumEstimateAhead), "estimated_delivery", "must be at most a year ahead")
        }
        try validator.check()
        guard let status else { return JSONResponse(try DeliveryResponse(delivery)) }  // unreachable: the validator refused it
        guard status == delivery.status || delivery.status.successors.contains(status) else {
            throw ProblemError.conflict("A \(delivery.statusValue) delivery cannot become \(status.rawValue).")
        }
        let traceparent = request.headers[TraceParent.headerName]
        try await environment.database.transaction { tx in
            if let carrier = body.carrier { delivery.carrier = carrier.trimmingCharacters(in: .whitespacesAndNewlines) }
            if let estimate = body.estimatedDelivery { delivery.estimatedDelivery = estimate }
            let description = status == delivery.status ? "Delivery details updated." : nil
            try await Shipments(outbox: environment.outbox).record(
                delivery,
                status: status,
                description: description,
                traceparent: traceparent,
                on: tx
            )
        }
        context.logger.info("delivery updated", metadata: ["delivery_id": .string(id.uuidString), "status": .string(status.rawValue)])
        guard let updated = try await Shipments.load(id, on: database) else { throw ProblemError.notFound("delivery") }
        return JSONResponse(try DeliveryResponse(updated))
    }
}
