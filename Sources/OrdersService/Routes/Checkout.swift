import ComptoirContracts
import ComptoirKit
import CoreMetrics
import FluentKit
import Foundation
import HTTPTypes
import Hummingbird

/// `POST /orders`: turns the caller's basket into a `pending` order.
///
/// The basket, the addresses and the customer are read over internal calls (each with the
/// client's timeout); every price is checked against the catalog again; then the order, its
/// lines, its first history entry and the `orders.order.placed` outbox row are written in one
/// transaction. Products reserves the stock from that event, and the saga goes on from there.
struct Checkout: Sendable {
    let environment: ServiceEnvironment

    static let idempotencyKeyHeader = HTTPField.Name("Idempotency-Key")!  // trap-checked: a literal, valid header name
    /// Set on the answer to a retried request: the order is the one the key first created.
    static let replayedHeader = HTTPField.Name("Idempotent-Replayed")!  // trap-checked: a literal, valid header name

    /// Longest `Idempotency-Key` accepted.
    static let maximumKeyLength = 255

    func place(_ request: Request, context: ComptoirRequestContext) async throws -> (order: Order, replayed: Bool) {
        let principal = try context.requirePrincipal()
        let userId = try principal.requireUser()
        let key = try Self.idempotencyKey(request)
        let body = try await request.decodeJSON(as: CheckoutRequest.self, context: context)
        if let key, let existing = try await replay(key: key, userId: userId, fingerprint: body.fingerprint) { return (existing, true) }

        let client = environment.client
        async let basketCall = client.get(
            .baskets,
            "/baskets/mine",
            as: BasketSnapshot.self,
            identity: .user(principal),
            context: context,
            request: request
        )
        async let customerCall = client.currentUser(principal, context: context, request: request)
        async let shippingCall = address(body.shippingAddressId, field: "shipping_address_id", principal, context, request)
        async let billingCall = optionalAddress(body.billingAddressId, field: "billing_address_id", principal, context, request)
        let (basket, customer, shipping, billing) = try await (basketCall, customerCall, shippingCall, billingCall)

        guard !basket.items.isEmpty, let currency = basket.currency else { throw ProblemError.conflict("The basket is empty.") }
        try await checkCatalog(basket, principal, context, request)

        let websiteId = context.website
        let lines = basket.items.map { OrderLineData(productId: $0.productId, name: $0.name, quantity: $0.quantity, unitPrice: $0.unitPrice) }
        let total = try Self.total(of: lines)
        let traceparent = request.headers[TraceParent.headerName]
        do {
            let order = try await environment.database.transaction { tx in
                let order = try Order(
                    number: try await Order.numbers.next(on: tx, name: "orders"),
                    userId: userId,
                    websiteId: websiteId,
                    customer: customer,
                    shipping: shipping,
                    billing: billing ?? shipping,
                    total: total,
                    currency: currency
                )
                order.idempotencyKey = key
                order.requestFingerprint = key.map { _ in body.fingerprint }
                try await order.create(on: tx)
                let orderId = try order.requireID()
                for (position, line) in lines.enumerated() {
                    try await OrderLine(
                        orderId: orderId,
                        position: position,
                        productId: line.productId,
                        name: line.name,
                        unitPrice: line.unitPrice,
                        quantity: line.quantity
                    ).create(on: tx)
                }
                try await OrderStatusChange(orderId: orderId, status: .pending, note: nil, at: order.createdAt).create(on: tx)
                try await environment.outbox.append(
                    OrderPlaced(
                        orderId: orderId,
                        number: order.number,
                        userId: userId,
                        websiteId: websiteId,
                        lines: lines,
                        total: total,
                        currency: currency
                    ),
                    websiteId: websiteId,
                    traceparent: traceparent,
                    on: tx
                )
                return order
            }
            let orderId = try order.requireID()
            context.logger.info(
                "order placed",
                metadata: ["order_id": .string(orderId.uuidString), "number": .string(order.number), "total": .stringConvertible(total)]
            )
            environment.metrics.counter("orders_placed_total").increment()
            guard let placed = try await OrderQueries.load(orderId, on: environment.database.fluent) else {
                throw ProblemError.notFound("order")
            }
            return (placed, false)
        } catch {
            // Two requests with one key raced: the loser's insert broke the unique index; answer with the winner's order.
            if let key, let existing = try await replay(key: key, userId: userId, fingerprint: body.fingerprint) { return (existing, true) }
            throw error
        }
    }

    /// The order a key was already used for, if any; a key reused for a different request is a 409.
    private func replay(key: String, userId: UUID, fingerprint: String) async throws -> Order? {
        guard let order = try await Order.query(on: environment.database.fluent).filter(\.$userId == userId).filter(\.$idempotencyKey == key).first()
        else { return nil }
        guard order.requestFingerprint == fingerprint else {
            throw ProblemError.conflict("This Idempotency-Key was already used for a different order request.")
        }
        return try await OrderQueries.load(order.requireID(), on: environment.database.fluent)
    }

    /// One of the caller's addresses; another user's or an unknown id is a 422 on the field.
    private func address(
        _ id: UUID,
        field: String,
        _ principal: Principal,
        _ context: ComptoirRequestContext,
        _ request: Request
    ) async throws -> AddressSnapshot {
        let address = try await environment.client.find(
            .addresses,
            "/addresses/\(id)",
            as: AddressSnapshot.self,
            identity: .user(principal),
            context: context,
            request: request
        )
        guard let address else { throw ProblemError.validation([.init(field: field, message: "is not one of your addresses")]) }
        return address
    }

    private func optionalAddress(
        _ id: UUID?,
        field: String,
        _ principal: Principal,
        _ context: ComptoirRequestContext,
        _ request: Request
    ) async throws -> AddressSnapshot? {
        guard let id else { return nil }
        return try await address(id, field: field, principal, context, request)
    }

    /// The basket's snapshots must still be the catalog's prices: a customer pays what they saw
    /// only if it is still the price. A changed or vanished product, or one with less stock than
    /// the line asks (an order products would only cancel a moment later), is a 409 naming each line.
    private func checkCatalog(_ basket: BasketSnapshot, _ principal: Principal, _ context: ComptoirRequestContext, _ request: Request) async throws {
        let client = environment.client
        let current = try await withThrowingTaskGroup(of: (UUID, CatalogPrice?).self) { group in
            for item in basket.items {
                group.addTask {
                    let product = try await client.find(
                        .products,
                        "/products/\(item.productId)",
                        as: CatalogPrice.self,
                        identity: .user(principal),
                        context: context,
                        request: request
                    )
                    return (item.productId, product)
                }
            }
            return try await group.reduce(into: [UUID: CatalogPrice?]()) { $0[$1.0] = $1.1 }
        }
        var errors: [Problem.FieldError] = []
        var stockErrors = 0
        for (index, item) in basket.items.enumerated() {
            let field = "items[\(index)]"
            switch current[item.productId] ?? nil {
            case nil:
                errors.append(.init(field: field, message: "\(item.name) is no longer sold; remove it from the basket"))
            case let product? where product.price != item.unitPrice || product.currency != basket.currency:
                errors.append(
                    .init(
                        field: field,
                        message: "the price of \(item.name) is now \(product.price) \(product.currency), it was \(item.unitPrice) when added"
                    )
                )
            case let product? where product.stock < item.quantity:
                stockErrors += 1
                errors.append(
                    .init(field: field, message: product.stock == 0 ? "\(item.name) is out of stock" : "only \(product.stock) of \(item.name) left")
                )
            default:
                break
            }
        }
        guard errors.isEmpty else {
            let detail =
                stockErrors == errors.count
                ? "Not enough stock: \(errors.map(\.message).joined(separator: "; "))."
                : "Some products in the basket changed since they were added; review the basket."
            throw ProblemError(.conflict, detail, errors: errors)
        }
    }

    /// The order's total from the basket's lines as baskets answered them: every quantity at least
    /// one, every price at least zero, each product and the sum checked, so a basket that cannot add
    /// up is a 409 rather than an overflow that stops the process.
    static func total(of lines: [OrderLineData]) throws -> Int {
        guard lines.allSatisfy({ $0.quantity >= 1 && $0.unitPrice >= 0 }),
            let totals = LineTotals(lines.map { (unitPrice: $0.unitPrice, quantity: $0.quantity) })
        else { throw ProblemError.conflict("The basket's quantities and prices do not add up to a total; review the basket.") }
        return totals.total
    }

    /// The `Idempotency-Key` header, checked: 1–255 visible ASCII characters.
    static func idempotencyKey(_ request: Request) throws -> String? {
        guard let raw = request.headers[Self.idempotencyKeyHeader] else { return nil }
        let valid = (1...maximumKeyLength).contains(raw.utf8.count) && raw.utf8.allSatisfy { (0x21...0x7e).contains($0) }
        guard valid else {
            throw ProblemError.validation([.init(field: "Idempotency-Key", message: "must be 1 to \(maximumKeyLength) visible ASCII characters")])
        }
        return raw
    }
}
