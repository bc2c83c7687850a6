import ComptoirContracts
import ComptoirKit
import FluentKit

extension WebsiteChanged {
    init(_ website: Website) throws {
        self.init(websiteId: try website.requireID(), code: website.code, domain: website.domain, currency: website.currency, locale: website.locale)
    }
}
