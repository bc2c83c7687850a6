import Foundation

/// `websites.website.changed`: a store was created or its settings changed.
public struct WebsiteChanged: DomainEvent, Equatable {
    public static let type = "websites.website.changed"
    public var websiteId: UUID
    public var code: String
    public var domain: String?
    public var currency: String
    public var locale: String

    public init(websiteId: UUID, code: String, domain: String?, currency: String, locale: String) {
        self.websiteId = websiteId
        self.code = code
        self.domain = domain
        self.currency = currency
        self.locale = locale
    }
}
