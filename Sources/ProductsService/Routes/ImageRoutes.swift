import ComptoirContracts
import ComptoirKit
import FluentKit
import Foundation
import Hummingbird
import NIOCore

/// Product images: uploaded raw (JPEG, PNG or WebP, at most 5 MiB), typed by their bytes rather
/// than by the header the client sent, stored in the blob store and streamed back.
struct ImageRoutes: Sendable {
    let environment: ServiceEnvironment
    let catalog: Catalog
    static let maximumSize = 5 << 20

    var database: any Database { environment.database.fluent }

    /// The upload's raw body (JPEG, PNG or WebP) is not in the document: ``ServiceAPI`` documents
    /// JSON bodies only.
    func declare(_ api: ServiceAPI) {
        typealias Doc = ProductsOpenAPI
        api.endpoint(
            .post,
            "/products/{id}/images",
            id: "upload_image",
            summary: "Add an image (JPEG, PNG or WebP, at most 5 MiB, raw body)",
            access: Doc.catalog,
            parameters: [Doc.id],
            responses: [
                201: Doc.stored, 404: Doc.notFound, 413: OpenAPI.problem("Over 5 MiB"), 415: OpenAPI.problem("Not a JPEG, PNG or WebP image"),
            ],
            use: upload
        )
        api.endpoint(
            .get,
            "/products/{id}/images/{image_id}",
            id: "image",
            summary: "An image's bytes",
            access: .public,
            parameters: [Doc.id, Doc.imageId],
            responses: [200: ["description": "The image", "content": ["image/*": [:]]], 404: OpenAPI.problem("No such image")],
            use: download
        )
        api.endpoint(
            .delete,
            "/products/{id}/images/{image_id}",
            id: "delete_image",
            summary: "Remove an image",
            access: Doc.catalog,
            parameters: [Doc.id, Doc.imageId],
            responses: [204: OpenAPI.empty("Removed"), 404: OpenAPI.problem("No such image")],
            use: delete
        )
        api.endpoint(
            .put,
            "/products/{id}/images",
            id: "order_images",
            summary: "Put the product's images in a new order (every image id, once)",
            access: Doc.catalog,
            parameters: [Doc.id],
            body: OpenAPI.object(
                ["image_ids": ["type": "array", "items": OpenAPI.uuid, "maxItems": .number(Double(ImageOrderRequest.maximumImages))]],
                required: ["image_ids"]
            ),
            responses: [200: Doc.product, 404: Doc.notFound],
            use: reorder
        )
    }

    @Sendable func upload(_ request: Request, context: ComptoirRequestContext) async throws -> JSONResponse<ImageResponse> {
        let product = try await Product.find(in: context, on: database, notFound: "product")
        if let length = request.headers[.contentLength].flatMap(Int.init), length > Self.maximumSize {
            throw ProblemError(.contentTooLarge, "Images are limited to 5 MiB.")
        }
        let bytes = try await request.body.collect(upTo: Self.maximumSize)
        guard let type = Self.sniff(bytes) else {
            throw ProblemError(.unsupportedMediaType, "The body is not a JPEG, PNG or WebP image.")
        }
        let productId = try product.requireID()
        let last = try await ProductImage.query(on: database).filter(\.$productId == productId).max(\.$position)
        let image = ProductImage(productId: productId, contentType: type, size: bytes.readableBytes, position: (last ?? -1) + 1)
        let imageId = try image.requireID()
        try await environment.blobs.put(image.blobKey, contentType: type, bytes: bytes)
        do {
            try await image.create(on: database)
        } catch {
            await environment.blobs.deleteOrphan(image.blobKey, logger: context.logger, metrics: environment.metrics)
            throw error
        }
        await catalog.invalidate(productId)
        return JSONResponse(ImageResponse(id: imageId, url: Catalog.imageURL(product: productId, image: imageId)), status: .created)
    }

    @Sendable func download(_ request: Request, context: ComptoirRequestContext) async throws -> Response {
        let productId = try await Product.find(in: context, on: database, notFound: "image").requireID()
        guard let imageId = context.parameters.get("image_id", as: UUID.self),
            let image = try await ProductImage.query(on: database).filter(\.$id == imageId).filter(\.$productId == productId).first()
        else { throw ProblemError.notFound("image") }
        if let url = try await environment.blobs.downloadURL(image.blobKey, contentDisposition: nil) {
            return Response(status: .temporaryRedirect, headers: [.location: url.absoluteString, .cacheControl: "private, max-age=60"])
        }
        guard let blob = try await environment.blobs.get(image.blobKey) else { throw ProblemError.notFound("image") }
        return Response(
            status: .ok,
            headers: [.contentType: blob.contentType, .contentLength: String(blob.size), .cacheControl: "public, max-age=86400, immutable"],
            body: ResponseBody(asyncSequence: blob.body)
        )
    }

    @Sendable func delete(_ request: Request, context: ComptoirRequestContext) async throws -> Response {
        let productId = try await Product.find(in: context, on: database, notFound: "image").requireID()
        guard let imageId = context.parameters.get("image_id", as: UUID.self),
            let image = try await ProductImage.query(on: database).filter(\.$id == imageId).filter(\.$productId == productId).first()
        else { throw ProblemError.notFound("image") }
        try await image.delete(on: database)
        await catalog.invalidate(productId)
        // The row is gone first: a blob left behind is an orphan (logged, counted), never a broken image.
        await environment.blobs.deleteOrphan(image.blobKey, logger: context.logger, metrics: environment.metrics)
        return Response(status: .noContent)
    }

    @Sendable func reorder(_ request: Request, context: ComptoirRequestContext) async throws -> JSONResponse<ProductResponse> {
        let productId = try await Product.find(in: context, on: database, notFound: "product").requireID()
        let body = try await request.decodeJSON(as: ImageOrderRequest.self, context: context)
        try await environment.database.transaction { tx in
            let images = try await ProductImage.query(on: tx).filter(\.$productId == productId).all()
            var validator = Validator()
            validator.expect(
                body.imageIds.count == images.count && Set(body.imageIds) == Set(images.compactMap(\.id)),
                "image_ids",
                "must list each of the product's \(images.count) image ids exactly once"
            )
            try validator.check()
            for image in images {
                guard let id = image.id, let position = body.imageIds.firstIndex(of: id), image.position != position else { continue }
                image.position = position
                try await image.update(on: tx)
            }
        }
        await catalog.invalidate(productId)
        guard let product = try await catalog.product(productId, website: context.website) else { throw ProblemError.notFound("product") }
        return JSONResponse(product)
    }

    /// The image type from the file's magic bytes, or `nil`.
    static func sniff(_ bytes: ByteBuffer) -> String? {
        let head = Array(bytes.readableBytesView.prefix(12))
        if head.starts(with: [0xFF, 0xD8, 0xFF]) { return "image/jpeg" }
        if head.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return "image/png" }
        if head.count == 12, head.starts(with: Array("RIFF".utf8)), Array(head[8..<12]) == Array("WEBP".utf8) { return "image/webp" }
        return nil
    }
}
