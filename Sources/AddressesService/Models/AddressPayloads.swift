import ComptoirKit
import FluentKit
import Foundation

/// `POST /addresses` and `PUT /addresses/{id}`.
struct AddressRequest: Decodable, Sendable {
    var kind: String
    var name: String
    var line1: String
    var line2: String?
    var city: String
    var region: String?
    var postalCode: String
    var country: String
    var phone: String?
    var isDefault: Bool?

    /// Every rule at once, so a form can show all its mistakes; returns the normalised address.
    func validated() throws -> AddressRequest {
        var validator = Validator()
        var result = self
        result.country = country.trimmingCharacters(in: .whitespaces).uppercased()
        validator.expect(["shipping", "billing"].contains(kind), "kind", "must be shipping or billing")
        validator.text(name, "name", length: 1...100)
        validator.text(line1, "line1", length: 1...200)
        validator.text(line2, "line2", length: 0...200, required: false)
        validator.text(city, "city", length: 1...100)
        result.name = name.trimmingCharacters(in: .whitespacesAndNewlines)
        result.line1 = line1.trimmingCharacters(in: .whitespacesAndNewlines)
        result.line2 = line2?.trimmingCharacters(in: .whitespacesAndNewlines).nilIfEmpty
        result.city = city.trimmingCharacters(in: .whitespacesAndNewlines)
        if let rules = CountryRules.all[result.country] {
            let postal = CountryRules.normalise(postalCode, country: result.country)
            result.postalCode = postal
            validator.expect(
                postal.range(of: "^(\(rules.postalCode))$", options: .regularExpression) != nil,
                "postal_code",
                "is not a valid postal code for \(result.country) (for example \(rules.example))"
            )
            let region = region?.trimmingCharacters(in: .whitespaces).uppercased().nilIfEmpty
            result.region = region
            if let regions = rules.regions {
                validator.expect(region.map(regions.contains) == true, "region", "must be a \(result.country) state or province code")
            } else {
                validator.expect((region?.count ?? 0) <= 100, "region", "must be at most 100 characters")
            }
        } else {
            validator.fail("country", "must be one of \(CountryRules.all.keys.sorted().joined(separator: ", ")) (ISO 3166-1 alpha-2)")
        }
        if let phone = phone?.trimmingCharacters(in: .whitespaces).nilIfEmpty {
            validator.expect(
                phone.range(of: #"^\+?[0-9][0-9 ().-]{5,19}$"#, options: .regularExpression) != nil,
                "phone",
                "must be a phone number such as +33 1 23 45 67 89"
            )
            result.phone = phone
        } else {
            result.phone = nil
        }
        try validator.check()
        return result
    }
}

/// An address as the API shows it.
struct AddressResponse: Codable, Sendable {
    var id: UUID
    var kind: String
    var name: String
    var line1: String
    var line2: String?
    var city: String
    var region: String?
    var postalCode: String
    var country: String
    var phone: String?
    var isDefault: Bool
    var createdAt: Date

    init(_ address: Address) throws {
        self.id = try address.requireID()
        self.kind = address.kind
        self.name = address.name
        self.line1 = address.line1
        self.line2 = address.line2
        self.city = address.city
        self.region = address.region
        self.postalCode = address.postalCode
        self.country = address.country
        self.phone = address.phone
        self.isDefault = address.isDefault
        self.createdAt = address.createdAt
    }
}

extension String {
    var nilIfEmpty: String? { isEmpty ? nil : self }
}
