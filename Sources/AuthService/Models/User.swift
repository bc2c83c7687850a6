import ComptoirContracts
import ComptoirKit
import FluentKit
import Foundation

/// A registered account. The e-mail is stored lower-cased and is unique.
final class User: Model, @unchecked Sendable {
    static let schema = "users"

    @ID(key: .id) var id: UUID?
    @Field(key: "email") var email: String
    @Field(key: "name") var name: String
    @Field(key: "password_hash") var passwordHash: String
    @Field(key: "roles") var roles: [String]
    @OptionalField(key: "website_id") var websiteId: UUID?
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "updated_at") var updatedAt: Date

    init() {}

    init(email: String, name: String, passwordHash: String, roles: [Role], websiteId: UUID? = nil) {
        self.id = UUID()
        self.email = email
        self.name = name
        self.passwordHash = passwordHash
        self.roles = roles.map(\.rawValue)
        self.websiteId = websiteId
        self.createdAt = Date()
        self.updatedAt = createdAt
    }

    var roleSet: [Role] { roles.compactMap(Role.init(rawValue:)) }
}
