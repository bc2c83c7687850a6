import FluentKit
import FluentSQL
import SQLKit

/// `product_images.position`: the order a catalog manager gives a product's images (issue 16).
/// Images uploaded before it keep their upload order: their positions are all 0 and the upload
/// time breaks the tie.
struct AddImagePositions: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(ProductImage.schema).field("position", .int, .required, .sql(.default(0))).update()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(ProductImage.schema).deleteField("position").update()
    }
}
