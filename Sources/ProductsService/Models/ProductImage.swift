import FluentKit
import Foundation

/// An image of a product; its bytes are in the blob store under `blob_key`.
final class ProductImage: Model, @unchecked Sendable {
    static let schema = "product_images"

    @ID(key: .id) var id: UUID?
    @Field(key: "product_id") var productId: UUID
    @Field(key: "blob_key") var blobKey: String
    @Field(key: "content_type") var contentType: String
    @Field(key: "size") var size: Int
    /// Display order: the first image is the product's picture in listings.
    @Field(key: "position") var position: Int
    @Field(key: "created_at") var createdAt: Date

    init() {}

    init(productId: UUID, contentType: String, size: Int, position: Int) {
        let id = UUID()
        self.id = id
        self.productId = productId
        self.blobKey = "products/\(productId.uuidString.lowercased())/\(id.uuidString.lowercased())"
        self.contentType = contentType
        self.size = size
        self.position = position
        self.createdAt = Date()
    }
}
