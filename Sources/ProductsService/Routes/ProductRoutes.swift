import ComptoirContracts
import ComptoirKit
import FluentKit
import Foundation
import Hummingbird

/// The catalog: public reads, writes for role `catalog` (or `admin`).
struct ProductRoutes: Sendable {
    let environment: ServiceEnvironment
    let catalog: Catalog

    var database: any Database { environment.database.fluent }

    func declare(_ api: ServiceAPI) {
        typealias Doc = ProductsOpenAPI
        Doc.schemas(api)
        api.endpoint(
            .get,
            "/products",
            id: "list",
            summary: "Search and list the catalog",
            access: .public,
            parameters: Doc.listParameters,
            responses: [200: OpenAPI.json(OpenAPI.page(of: "Product")), 422: OpenAPI.problem("Bad filter")],
            use: list
        )
        api.endpoint(
            .post,
            "/products",
            id: "create",
            summary: "Add a product",
            access: Doc.catalog,
            body: Doc.createBody,
            responses: [201: OpenAPI.json(OpenAPI.ref("Product"), "Created"), 409: Doc.skuTaken],
            use: create
        )
        api.endpoint(
            .get,
            "/products/{id}",
            id: "show",
            summary: "One product",
            access: .public,
            parameters: [Doc.id],
            responses: [200: Doc.product, 404: Doc.notFound],
            use: show
        )
        api.endpoint(
            .patch,
            "/products/{id}",
            id: "update",
            summary: "Change some fields of a product",
            access: Doc.catalog,
            parameters: [Doc.id],
            body: Doc.patchBody,
            responses: [200: Doc.product, 404: Doc.notFound, 409: Doc.skuTaken],
            use: patch
        )
        api.endpoint(
            .delete,
            "/products/{id}",
            id: "delete",
            summary: "Remove a product",
            access: Doc.catalog,
            parameters: [Doc.id],
            responses: [204: OpenAPI.empty("Deleted"), 404: Doc.notFound],
            use: delete
        )
        api.endpoint(
            .put,
            "/products/{id}/stock",
            id: "set_stock",
            summary: "Set the available stock",
            access: Doc.catalog,
            parameters: [Doc.id],
            body: Doc.stockBody,
            responses: [200: Doc.product, 404: Doc.notFound],
            use: setStock
        )
        api.endpoint(
            .get,
            "/categories",
            id: "categories",
            summary: "The store's categories with their product counts",
            access: .public,
            responses: [200: OpenAPI.json(OpenAPI.array(of: OpenAPI.ref("Category")))],
            use: categories
        )
    }

    @Sendable func list(_ request: Request, context: ComptoirRequestContext) async throws -> EncodedJSONResponse {
        EncodedJSONResponse(try await catalog.listBody(website: context.website, try Self.listing(from: request)))
    }

    @Sendable func show(_ request: Request, context: ComptoirRequestContext) async throws -> EncodedJSONResponse {
        guard let id = context.parameters.get("id", as: UUID.self), let body = try await catalog.productBody(id, website: context.website) else {
            throw ProblemError.notFound("product")
        }
        return EncodedJSONResponse(body)
    }

    @Sendable func categories(_ request: Request, context: ComptoirRequestContext) async throws -> EncodedJSONResponse {
        EncodedJSONResponse(try await catalog.categoriesBody(website: context.website))
    }

    @Sendable func create(_ request: Request, context: ComptoirRequestContext) async throws -> JSONResponse<ProductResponse> {
        let body = try await request.decodeJSON(as: ProductCreateRequest.self, context: context)
        var validator = Validator()
        ProductRules.check(
            sku: body.sku,
            name: body.name,
            description: body.description,
            price: body.price,
            currency: body.currency,
            category: body.category,
            into: &validator
        )
        validator.expect((0...ProductRules.maximumStock).contains(body.stock ?? 0), "stock", "must be between 0 and \(ProductRules.maximumStock)")
        try validator.check()
        let product = Product(
            websiteId: context.website,
            sku: body.sku,
            name: body.name.trimmingCharacters(in: .whitespacesAndNewlines),
            description: body.description ?? "",
            price: body.price,
            currency: body.currency ?? "EUR",
            stock: body.stock ?? 0,
            category: body.category
        )
        try await save(product, isNew: true, categoryName: body.categoryName)
        return JSONResponse(try await reload(product.requireID(), context), status: .created)
    }

    @Sendable func patch(_ request: Request, context: ComptoirRequestContext) async throws -> JSONResponse<ProductResponse> {
        let product = try await Product.find(in: context, on: database, notFound: "product")
        let body = try await request.decodeJSON(as: ProductPatchRequest.self, context: context)
        var validator = Validator()
        ProductRules.check(
            sku: body.sku,
            name: body.name,
            description: body.description,
            price: body.price,
            currency: body.currency,
            category: body.category,
            into: &validator
        )
        try validator.check()
        if let sku = body.sku { product.sku = sku }
        if let name = body.name { product.name = name.trimmingCharacters(in: .whitespacesAndNewlines) }
        if let description = body.description { product.description = description }
        if let price = body.price { product.price = price }
        if let currency = body.currency { product.currency = currency }
        if let category = body.category { product.category = category }
        product.updatedAt = Date()
        try await save(product, isNew: false, categoryName: body.categoryName)
        return JSONResponse(try await reload(product.requireID(), context))
    }

    @Sendable func delete(_ request: Request, context: ComptoirRequestContext) async throws -> Response {
        let product = try await Product.find(in: context, on: database, notFound: "product")
        let productId = try product.requireID()
        let images = try await ProductImage.query(on: database).filter(\.$productId == productId).all()
        try await environment.database.transaction { tx in
            try await catalog.unindex(productId, on: tx)
            try await ProductImage.query(on: tx).filter(\.$productId == productId).delete()
            try await product.delete(on: tx)
            try await environment.outbox.append(ProductChanged(product, deleted: true), websiteId: product.websiteId, on: tx)
        }
        await catalog.invalidate(productId)
        for image in images { await environment.blobs.deleteOrphan(image.blobKey, logger: context.logger, metrics: environment.metrics) }
        return Response(status: .noContent)
    }

    @Sendable func setStock(_ request: Request, context: ComptoirRequestContext) async throws -> JSONResponse<ProductResponse> {
        let product = try await Product.find(in: context, on: database, notFound: "product")
        let productId = try product.requireID()
        let body = try await request.decodeJSON(as: StockRequest.self, context: context)
        var validator = Validator()
        validator.expect((0...ProductRules.maximumStock).contains(body.stock), "stock", "must be between 0 and \(ProductRules.maximumStock)")
        try validator.check()
        try await environment.database.transaction { tx in
            // A conditional update: a reservation committed meanwhile is not overwritten by a stale read.
            try await Product.query(on: tx).filter(\.$id == productId).set(\.$stock, to: body.stock).set(\.$updatedAt, to: Date()).update()
            product.stock = body.stock
            try await environment.outbox.append(ProductChanged(product), websiteId: product.websiteId, on: tx)
        }
        await catalog.invalidate(productId)
        return JSONResponse(try await reload(productId, context))
    }

    /// Writes the product, its category, its search entry and its event together; a taken SKU is a 409.
    /// Two products naming the same new category at once both try to create it, and the second
    /// insert breaks its unique key: that write is tried once more, and then finds the category.
    private func save(_ product: Product, isNew: Bool, categoryName: String?, attempt: Int = 1) async throws {
        let productId = try product.requireID()
        do {
            try await environment.database.transaction { tx in
                var clash = Product.query(on: tx).filter(\.$websiteId == product.websiteId).filter(\.$sku == product.sku)
                if !isNew { clash = clash.filter(\.$id != productId) }
                if try await clash.count() > 0 { throw Self.skuTaken }
                if let slug = product.category,
                    try await Category.query(on: tx).filter(\.$websiteId == product.websiteId).filter(\.$slug == slug).count() == 0
                {
                    let name = categoryName?.trimmingCharacters(in: .whitespacesAndNewlines).prefix(100) ?? ""
                    try await Category(
                        websiteId: product.websiteId,
                        slug: slug,
                        name: name.isEmpty ? slug.replacingOccurrences(of: "-", with: " ").capitalized : String(name)
                    )
                    .create(on: tx)
                }
                if isNew { try await product.create(on: tx) } else { try await product.update(on: tx) }
                try await catalog.index(product, on: tx)
                try await environment.outbox.append(ProductChanged(product), websiteId: product.websiteId, on: tx)
            }
        } catch let error as any DatabaseError where error.isConstraintFailure {
            guard attempt == 1, product.category != nil else { throw Self.skuTaken }
            return try await save(product, isNew: isNew, categoryName: categoryName, attempt: 2)
        }
        await catalog.invalidate(productId)
    }

    private func reload(_ id: UUID, _ context: ComptoirRequestContext) async throws -> ProductResponse {
        guard let product = try await catalog.product(id, website: context.website) else { throw ProblemError.notFound("product") }
        return product
    }

    static let skuTaken = ProblemError.conflict("Another product of this store already has this SKU.")

    /// Reads `q`, `category`, `min_price`, `max_price`, `sort`, `page`, `per_page`; bad values are 422s.
    static func listing(from request: Request) throws -> Catalog.Listing {
        let query = request.uri.queryParameters
        var validator = Validator()
        var listing = Catalog.Listing()
        listing.page = try PageRequest(from: request)
        listing.search = query["q"].map(String.init).flatMap { $0.isEmpty ? nil : String($0.prefix(200)) }
        listing.category = query["category"].map(String.init).flatMap { $0.isEmpty ? nil : $0 }
        for (name, keyPath) in [("min_price", \Catalog.Listing.minimumPrice), ("max_price", \Catalog.Listing.maximumPrice)] {
            guard let raw = query[name[...]] else { continue }
            if let value = Int(raw), value >= 0 {
                listing[keyPath: keyPath] = value
            } else {
                validator.fail(name, "must be a non-negative integer of minor units")
            }
        }
        if let raw = query["sort"].map(String.init) {
            if let sort = Catalog.Listing.Sort(rawValue: raw) {
                listing.sort = sort
            } else {
                validator.fail("sort", "must be one of \(Catalog.Listing.Sort.allCases.map(\.rawValue).joined(separator: ", "))")
            }
        }
        try validator.check()
        return listing
    }
}
