import ComptoirKit

extension WebsiteChanged {
    init(_ website: Website) {
        self.init(websiteId: website.id!, code: website.code, domain: website.domain, currency: website.currency, locale: website.locale)
    }
}
