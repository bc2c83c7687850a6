import ComptoirContracts
import ComptoirKit
import FluentKit
import Foundation
import Hummingbird

/// The caller's basket in the current store. Prices are snapshots read from products when a
/// product is added; checkout compares them with the catalog again.
struct BasketRoutes: Sendable {
    let environment: ServiceEnvironment
    let baskets: BasketCache

    var database: any Database { environment.database.fluent }

    func declare(_ api: ServiceAPI) {
        typealias Doc = BasketsOpenAPI
        Doc.schemas(api)
        api.endpoint(
            .get,
            "/baskets/mine",
            id: "show",
            summary: "The caller's basket in this store",
            access: Doc.customer,
            responses: [200: Doc.basket],
            use: show
        )
        api.endpoint(
            .delete,
            "/baskets/mine",
            id: "clear",
            summary: "Empty the basket",
            access: Doc.customer,
            responses: [204: OpenAPI.empty("Emptied")],
            use: clear
        )
        api.endpoint(
            .post,
            "/baskets/mine/items",
            id: "add",
            summary: "Add a product (quantities add up)",
            access: Doc.customer,
            body: Doc.addBody,
            responses: [200: Doc.basket, 404: OpenAPI.problem("No such product"), 409: OpenAPI.problem("Not enough stock, or another currency")],
            use: addItem
        )
        api.endpoint(
            .patch,
            "/baskets/mine/items/{product_id}",
            id: "set_quantity",
            summary: "Change a line's quantity",
            access: Doc.customer,
            parameters: [Doc.productId],
            body: Doc.quantityBody,
            responses: [200: Doc.basket, 404: Doc.notInBasket, 409: OpenAPI.problem("Not enough stock")],
            use: setQuantity
        )
        api.endpoint(
            .delete,
            "/baskets/mine/items/{product_id}",
            id: "remove",
            summary: "Remove a line",
            access: Doc.customer,
            parameters: [Doc.productId],
            responses: [200: Doc.basket, 404: Doc.notInBasket],
            use: removeItem
        )
    }

    @Sendable func show(_ request: Request, context: ComptoirRequestContext) async throws -> JSONResponse<BasketResponse> {
        let userId = try owner(context)
        return JSONResponse(try await baskets.basket(of: cacheOwner(userId, context)) { try BasketResponse(try await lines(of: userId, context)) })
    }

    @Sendable func addItem(_ request: Request, context: ComptoirRequestContext) async throws -> JSONResponse<BasketResponse> {
        let principal = try context.requirePrincipal()
        let userId = try principal.requireUser()
        let body = try await request.decodeJSON(as: AddItemRequest.self, context: context)
        try BasketRules.checkQuantity(body.quantity)
        let product = try await snapshot(of: body.productId, principal, context, request)
        try await environment.database.transaction { tx in
            let existing = try await lines(of: userId, context, on: tx)
            if let other = existing.first, other.currency != product.currency {
                throw ProblemError.conflict("The basket is in \(other.currency); this product is priced in \(product.currency).")
            }
            if let line = existing.first(where: { $0.productId == product.id }) {
                let quantity = line.quantity + body.quantity
                try BasketRules.checkQuantity(quantity)
                try Self.checkStock(product, quantity)
                line.quantity = quantity
                line.unitPrice = product.price
                line.name = product.name
                try await line.update(on: tx)
            } else {
                guard existing.count < BasketRules.maximumLines else {
                    throw ProblemError.conflict("A basket holds at most \(BasketRules.maximumLines) products.")
                }
                try Self.checkStock(product, body.quantity)
                try await BasketLine(
                    userId: userId,
                    websiteId: context.website,
                    productId: product.id,
                    name: product.name,
                    unitPrice: product.price,
                    currency: product.currency,
                    quantity: body.quantity
                ).create(on: tx)
            }
        }
        await baskets.invalidate([cacheOwner(userId, context)])
        return JSONResponse(try BasketResponse(try await lines(of: userId, context)))
    }

    @Sendable func setQuantity(_ request: Request, context: ComptoirRequestContext) async throws -> JSONResponse<BasketResponse> {
        let userId = try owner(context)
        let body = try await request.decodeJSON(as: QuantityRequest.self, context: context)
        try BasketRules.checkQuantity(body.quantity)
        let line = try await line(of: userId, context)
        // The stock now, not when the line was added: raising a quantity past it would only
        // surface at checkout, as an order cancelled a second after "thank you".
        try Self.checkStock(try await snapshot(of: line.productId, try context.requirePrincipal(), context, request), body.quantity)
        line.quantity = body.quantity
        try await line.update(on: database)
        await baskets.invalidate([cacheOwner(userId, context)])
        return JSONResponse(try BasketResponse(try await lines(of: userId, context)))
    }

    @Sendable func removeItem(_ request: Request, context: ComptoirRequestContext) async throws -> JSONResponse<BasketResponse> {
        let userId = try owner(context)
        try await line(of: userId, context).delete(on: database)
        await baskets.invalidate([cacheOwner(userId, context)])
        return JSONResponse(try BasketResponse(try await lines(of: userId, context)))
    }

    @Sendable func clear(_ request: Request, context: ComptoirRequestContext) async throws -> Response {
        let userId = try owner(context)
        try await BasketLine.query(on: database).filter(\.$userId == userId).filter(\.$websiteId == context.website).delete()
        await baskets.invalidate([cacheOwner(userId, context)])
        return Response(status: .noContent)
    }

    private func owner(_ context: ComptoirRequestContext) throws -> UUID {
        try context.requirePrincipal().requireUser()
    }

    private func cacheOwner(_ userId: UUID, _ context: ComptoirRequestContext) -> BasketCache.Owner {
        BasketCache.Owner(user: userId, website: context.website)
    }

    private func lines(of userId: UUID, _ context: ComptoirRequestContext, on database: (any Database)? = nil) async throws -> [BasketLine] {
        try await BasketLine.query(on: database ?? self.database).filter(\.$userId == userId).filter(\.$websiteId == context.website)
            .sort(\.$addedAt).sort(\.$id).all()
    }

    private func line(of userId: UUID, _ context: ComptoirRequestContext) async throws -> BasketLine {
        guard let productId = context.parameters.get("product_id", as: UUID.self),
            let line = try await BasketLine.query(on: database).filter(\.$userId == userId).filter(\.$websiteId == context.website)
                .filter(\.$productId == productId).first()
        else { throw ProblemError.notFound("product in the basket") }
        return line
    }

    /// The product as the catalog shows it now (price, stock); 404 when it is gone.
    private func snapshot(
        of productId: UUID,
        _ principal: Principal,
        _ context: ComptoirRequestContext,
        _ request: Request
    ) async throws -> ProductSnapshot {
        let product = try await environment.client.find(
            .products,
            "/products/\(productId)",
            as: ProductSnapshot.self,
            identity: .user(principal),
            context: context,
            request: request
        )
        guard let product else { throw ProblemError.notFound("product") }
        return product
    }

    static func checkStock(_ product: ProductSnapshot, _ quantity: Int) throws {
        guard product.stock >= quantity else {
            throw ProblemError.conflict(product.stock == 0 ? "\(product.name) is out of stock." : "Only \(product.stock) of \(product.name) left.")
        }
    }
}
