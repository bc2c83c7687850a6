import ComptoirContracts
import ComptoirKit
import FluentKit
import Foundation
import Hummingbird

/// Orders in the current store. Customers see their own (another customer's order is a 404);
/// admins see every order and may filter by status and customer.
struct OrderRoutes: Sendable {
    let environment: ServiceEnvironment

    var database: any Database { environment.database.fluent }

    func declare(_ api: ServiceAPI) {
        typealias Doc = OrdersOpenAPI
        Doc.schemas(api)
        api.endpoint(
            .get,
            "/orders",
            id: "list",
            summary: "The caller's orders, newest first (admin: every order, filtered)",
            access: Doc.customer,
            parameters: Doc.listParameters,
            responses: [200: OpenAPI.json(OpenAPI.page(of: "Order")), 422: OpenAPI.problem("Bad filter")],
            use: list
        )
        api.endpoint(
            .post,
            "/orders",
            id: "checkout",
            summary: "Check out the basket: a pending order; the saga confirms or cancels it",
            access: Doc.customer,
            parameters: [Doc.idempotencyKey],
            body: Doc.checkoutBody,
            responses: [
                201: OpenAPI.json(OpenAPI.ref("Order"), "Placed (or the first result for this Idempotency-Key, with Idempotent-Replayed: true)"),
                409: OpenAPI.problem("Empty basket, a changed price, or a key reused for another request"),
                422: OpenAPI.problem("Unknown address or bad Idempotency-Key"), 502: OpenAPI.problem("A service needed for checkout is down"),
                504: OpenAPI.problem("A service needed for checkout is too slow"),
            ],
            use: create
        )
        api.endpoint(
            .get,
            "/orders/{id}",
            id: "show",
            summary: "One order with its lines and history",
            access: Doc.customer,
            parameters: [Doc.id],
            responses: [200: Doc.order, 404: Doc.notFound],
            use: show
        )
        api.endpoint(
            .post,
            "/orders/{id}/cancel",
            id: "cancel",
            summary: "Cancel a pending or confirmed order; its stock is released",
            access: Doc.customer,
            parameters: [Doc.id],
            responses: [200: Doc.order, 404: Doc.notFound, 409: OpenAPI.problem("Already shipped, delivered or cancelled")],
            use: cancel
        )
    }

    @Sendable func create(_ request: Request, context: ComptoirRequestContext) async throws -> JSONResponse<OrderResponse> {
        let (order, replayed) = try await Checkout(environment: environment).place(request, context: context)
        var headers = HTTPFields()
        if replayed { headers[Checkout.replayedHeader] = "true" }
        return JSONResponse(try OrderResponse(order), status: .created, headers: headers)
    }

    @Sendable func list(_ request: Request, context: ComptoirRequestContext) async throws -> JSONResponse<PagedList<OrderResponse>> {
        let principal = try context.requirePrincipal()
        let page = try PageRequest(from: request)
        let query = request.uri.queryParameters
        var validator = Validator()
        var orders = Order.query(on: database).filter(\.$websiteId == context.website)
        if let status = query["status"].map(String.init) {
            if let status = OrderStatus(rawValue: status) {
                orders = orders.filter(\.$statusValue == status.rawValue)
            } else {
                validator.fail("status", "must be one of \(OrderStatus.allCases.map(\.rawValue).joined(separator: ", "))")
            }
        }
        if principal.has(.admin) {
            if let user = query["user_id"] {
                if let user = UUID(uuidString: String(user)) {
                    orders = orders.filter(\.$userId == user)
                } else {
                    validator.fail("user_id", "must be a UUID")
                }
            }
            if let number = query["number"].map(String.init) { orders = orders.filter(\.$number == number) }
        } else {
            orders = orders.filter(\.$userId == (try principal.requireUser()))
        }
        try validator.check()
        let total = try await orders.count()
        let items = try await orders.with(\.$lines).with(\.$history).sort(\.$createdAt, .descending).sort(\.$number, .descending)
            .range(page.rows).all()
        return JSONResponse(PagedList(items: try items.map(OrderResponse.init), total: total, request: page))
    }

    @Sendable func show(_ request: Request, context: ComptoirRequestContext) async throws -> JSONResponse<OrderResponse> {
        JSONResponse(try await OrderResponse(find(context)))
    }

    /// Only `pending` and `confirmed` orders can be cancelled; the stock they hold is released
    /// by products from `orders.order.cancelled`.
    @Sendable func cancel(_ request: Request, context: ComptoirRequestContext) async throws -> JSONResponse<OrderResponse> {
        let order = try await find(context)
        let traceparent = request.headers[TraceParent.headerName]
        try await environment.database.transaction { tx in
            // Read again inside the transaction: the saga may have moved it meanwhile.
            guard let current = try await Order.find(order.id, on: tx) else { throw ProblemError.notFound("order") }
            guard current.status.isCancellable else {
                throw ProblemError.conflict(
                    "Order \(current.number) is \(current.status.rawValue); only pending or confirmed orders can be cancelled."
                )
            }
            try await OrderQueries.move(current, to: .cancelled, note: "cancelled by the customer", on: tx)
            try await environment.outbox.append(
                OrderCancelled(orderId: current.requireID(), reason: "cancelled by the customer"),
                websiteId: current.websiteId,
                traceparent: traceparent,
                on: tx
            )
        }
        let orderId = try order.requireID()
        context.logger.info("order cancelled", metadata: ["order_id": .string(orderId.uuidString), "number": .string(order.number)])
        guard let cancelled = try await OrderQueries.load(orderId, on: database) else { throw ProblemError.notFound("order") }
        return JSONResponse(try OrderResponse(cancelled))
    }

    /// The order named in the path if the caller may see it: its owner or an admin, in this store.
    private func find(_ context: ComptoirRequestContext) async throws -> Order {
        let principal = try context.requirePrincipal()
        return try await Order.find(in: context, on: database, notFound: "order") { orders in
            let orders = orders.with(\.$lines).with(\.$history)
            if principal.has(.admin) { return orders }
            guard let userId = principal.userId else { throw ProblemError.notFound("order") }  // a service token owns no order
            return orders.filter(\.$userId == userId)
        }
    }
}
