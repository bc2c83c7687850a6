import ComptoirKit
import FluentKit
import Foundation

/// One entry of a user's address book.
final class Address: Model, @unchecked Sendable {
    static let schema = "addresses"

    @ID(key: .id) var id: UUID?
    @Field(key: "user_id") var userId: UUID
    @OptionalField(key: "website_id") var websiteId: UUID?
    @Field(key: "kind") var kind: String
    @Field(key: "name") var name: String
    @Field(key: "line1") var line1: String
    @OptionalField(key: "line2") var line2: String?
    @Field(key: "city") var city: String
    @OptionalField(key: "region") var region: String?
    @Field(key: "postal_code") var postalCode: String
    @Field(key: "country") var country: String
    @OptionalField(key: "phone") var phone: String?
    @Field(key: "is_default") var isDefault: Bool
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "updated_at") var updatedAt: Date

    init() {}

    init(userId: UUID, websiteId: UUID?) {
        self.id = UUID()
        self.userId = userId
        self.websiteId = websiteId
        self.createdAt = Date()
        self.updatedAt = createdAt
    }

    func apply(_ fields: AddressRequest) {
        kind = fields.kind
        name = fields.name
        line1 = fields.line1
        line2 = fields.line2
        city = fields.city
        region = fields.region
        postalCode = fields.postalCode
        country = fields.country
        phone = fields.phone
        isDefault = fields.isDefault ?? false
        updatedAt = Date()
    }
}

/// An address is written with the store the gateway resolved, or with none when there was none
/// (internal calls, a service on its own); a request without a store reads all of the user's addresses.
extension Address: WebsiteScoped {
    static var websiteIdKey: KeyPath<Address, OptionalFieldProperty<Address, UUID>> { \.$websiteId }
    static func website(for context: ComptoirRequestContext) -> UUID? { context.websiteId }
}
