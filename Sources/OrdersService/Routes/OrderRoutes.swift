import ComptoirContracts
import ComptoirKit
import FluentKit
import Foundation
import Hummingbird

/// Orders in the current store. Customers see their own (another customer's order is a 404);
/// staff who serve customers (admin, support) read every order and may filter them; only an
/// admin cancels another's order, with a reason the customer is shown.
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
            summary: "The caller's orders, newest first (admin and support: every order, filtered)",
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
            summary: "Cancel a pending or confirmed order; its stock is released (admin: anyone's, with a reason)",
            access: Doc.customer,
            parameters: [Doc.id],
            body: Doc.cancelBody,
            bodyRequired: false,
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
        if Self.readsEveryOrder(principal) {
            if let user = query["user_id"] {
                if let user = UUID(uuidString: String(user)) {
                    orders = orders.filter(\.$userId == user)
                } else {
                    validator.fail("user_id", "must be a UUID")
                }
            }
            if let number = query["number"].map(String.init) { orders = orders.filter(\.$number == number) }
            if let email = query["customer_email"].map(String.init) { orders = orders.filter(\.$customerEmail == email.lowercased()) }
        } else {
            orders = orders.filter(\.$userId == (try principal.requireUser()))
        }
        if let from = query["from"].map(String.init) {
            if let date = Self.day(from, endOfDay: false) {
                orders = orders.filter(\.$createdAt >= date)
            } else {
                validator.fail("from", Self.dateRule)
            }
        }
        if let to = query["to"].map(String.init) {
            if let date = Self.day(to, endOfDay: true) { orders = orders.filter(\.$createdAt < date) } else { validator.fail("to", Self.dateRule) }
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
        let principal = try context.requirePrincipal()
        let order = try await find(context, forChange: true)
        let body = try await request.decodeJSONIfPresent(as: CancelRequest.self, context: context)
        let reason = try CancelRequest.reason(body, byOwner: principal.userId == order.userId)
        let traceparent = request.headers[TraceParent.headerName]
        try await environment.database.transaction { tx in
            // Read again inside the transaction: the saga may have moved it meanwhile.
            guard let current = try await Order.find(order.id, on: tx) else { throw ProblemError.notFound("order") }
            guard current.status.isCancellable else {
                throw ProblemError.conflict(
                    "Order \(current.number) is \(current.status.rawValue); only pending or confirmed orders can be cancelled."
                )
            }
            try await OrderQueries.move(current, to: .cancelled, note: reason, on: tx)
            try await environment.outbox.append(
                OrderCancelled(orderId: current.requireID(), reason: reason),
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

    /// Staff who answer customers read every order of the store; changing one is the owner's or an admin's.
    static func readsEveryOrder(_ principal: Principal) -> Bool { principal.hasAny([.admin, .support]) }

    static let dateRule = "must be an RFC 3339 date-time or a day (YYYY-MM-DD)"

    /// An RFC 3339 instant, or a whole UTC day: its start, or for the end of a range the next day's start.
    static func day(_ text: String, endOfDay: Bool) -> Date? {
        if let date = RFC3339.date(from: text) { return date }
        let parts = text.split(separator: "-", omittingEmptySubsequences: false).compactMap { Int($0) }
        guard parts.count == 3, text.count == 10, (1...12).contains(parts[1]), (1...31).contains(parts[2]) else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? .current
        guard let start = calendar.date(from: DateComponents(year: parts[0], month: parts[1], day: parts[2])),
            calendar.component(.day, from: start) == parts[2]
        else { return nil }
        return endOfDay ? start.addingTimeInterval(86_400) : start
    }

    /// The order named in the path if the caller may see it (its owner, or staff who read every
    /// order) or, `forChange`, change it (its owner or an admin), in this store.
    private func find(_ context: ComptoirRequestContext, forChange: Bool = false) async throws -> Order {
        let principal = try context.requirePrincipal()
        return try await Order.find(in: context, on: database, notFound: "order") { orders in
            let orders = orders.with(\.$lines).with(\.$history)
            if forChange ? principal.has(.admin) : Self.readsEveryOrder(principal) { return orders }
            guard let userId = principal.userId else { throw ProblemError.notFound("order") }  // a service token owns no order
            return orders.filter(\.$userId == userId)
        }
    }
}
