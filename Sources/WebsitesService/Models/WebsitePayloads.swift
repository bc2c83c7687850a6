import ComptoirContracts
import ComptoirKit
import FluentKit
import Foundation

/// `POST /websites` and `PUT /websites/{id}`.
struct WebsiteRequest: Decodable, Sendable {
    var code: String
    var name: String
    var domain: String?
    var currency: String
    var locale: String

    /// Checks every field; the normalised domain (lower-case, no port) is returned.
    func validated() throws -> WebsiteRequest {
        var validator = Validator()
        validator.expect(
            code.range(of: #"^[a-z0-9][a-z0-9-]{0,31}$"#, options: .regularExpression) != nil,
            "code",
            "must be 1 to 32 lower-case letters, digits or dashes"
        )
        validator.text(name, "name", length: 1...100)
        let domain = self.domain?.trimmingCharacters(in: .whitespaces).lowercased()
        if let domain, !domain.isEmpty {
            validator.expect(
                domain.count <= 253
                    && domain.range(of: #"^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$"#, options: .regularExpression) != nil,
                "domain",
                "must be a host name such as shop.example.com"
            )
        }
        validator.expect(CurrencyCode(currency) != nil, "currency", "must be an ISO 4217 code such as EUR")
        validator.expect(locale.range(of: #"^[a-z]{2,3}(-[A-Z]{2})?$"#, options: .regularExpression) != nil, "locale", "must look like fr-FR or en")
        try validator.check()
        var normalised = self
        normalised.domain = domain?.isEmpty == true ? nil : domain
        normalised.name = name.trimmingCharacters(in: .whitespacesAndNewlines)
        return normalised
    }
}

/// A website as the API shows it.
struct WebsiteResponse: Codable, Sendable {
    var id: UUID
    var code: String
    var name: String
    var domain: String?
    var currency: String
    var locale: String

    init(_ website: Website) throws {
        self.id = try website.requireID()
        self.code = website.code
        self.name = website.name
        self.domain = website.domain
        self.currency = website.currency
        self.locale = website.locale
    }
}
