import FluentKit
import Foundation

/// A catalog section of one store, named by its slug.
final class Category: Model, @unchecked Sendable {
    static let schema = "categories"

    @ID(key: .id) var id: UUID?
    @Field(key: "website_id") var websiteId: UUID
    @Field(key: "slug") var slug: String
    @Field(key: "name") var name: String

    init() {}

    init(websiteId: UUID, slug: String, name: String) {
        self.id = UUID()
        self.websiteId = websiteId
        self.slug = slug
        self.name = name
    }
}
