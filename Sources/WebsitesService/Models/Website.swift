import FluentKit
import Foundation

/// A store (tenant): its code, domain, currency and locale.
final class Website: Model, @unchecked Sendable {
    static let schema = "websites"

    @ID(key: .id) var id: UUID?
    @Field(key: "code") var code: String
    @Field(key: "name") var name: String
    @OptionalField(key: "domain") var domain: String?
    @Field(key: "currency") var currency: String
    @Field(key: "locale") var locale: String
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "updated_at") var updatedAt: Date

    init() {}

    init(code: String, name: String, domain: String?, currency: String, locale: String) {
        self.id = UUID()
        self.code = code
        self.name = name
        self.domain = domain
        self.currency = currency
        self.locale = locale
        self.createdAt = Date()
        self.updatedAt = createdAt
    }

    /// The store every installation has from its first start.
    static let defaultCode = "default"
}
