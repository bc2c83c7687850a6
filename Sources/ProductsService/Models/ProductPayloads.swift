import ComptoirContracts
import ComptoirKit
import Foundation

/// `POST /products`.
struct ProductCreateRequest: Decodable, Sendable {
    var sku: String
    var name: String
    var description: String?
    var price: Int
    var currency: String?
    var stock: Int?
    var category: String?
    var categoryName: String?
}

/// `PATCH /products/{id}`: only the fields present change.
struct ProductPatchRequest: Decodable, Sendable {
    var sku: String?
    var name: String?
    var description: String?
    var price: Int?
    var currency: String?
    var category: String?
    var categoryName: String?
}

/// `PUT /products/{id}/stock`.
struct StockRequest: Decodable, Sendable {
    var stock: Int
}

/// The rules every product write obeys.
enum ProductRules {
    static let maximumPrice = Money.maximumUnitPrice
    static let maximumStock = 10_000_000

    static func check(
        sku: String?,
        name: String?,
        description: String?,
        price: Int?,
        currency: String?,
        category: String?,
        into validator: inout Validator
    ) {
        if let sku {
            validator.expect(
                sku.range(of: #"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"#, options: .regularExpression) != nil,
                "sku",
                "must be 1 to 64 letters, digits, dots, dashes or underscores"
            )
        }
        if let name { validator.text(name, "name", length: 1...200) }
        if let description { validator.text(description, "description", length: 0...10_000, required: false) }
        if let price { validator.expect((0...maximumPrice).contains(price), "price", "must be between 0 and \(maximumPrice) minor units") }
        if let currency { validator.expect(CurrencyCode(currency) != nil, "currency", "must be an ISO 4217 code such as EUR") }
        if let category {
            validator.expect(
                category.range(of: #"^[a-z0-9][a-z0-9-]{0,63}$"#, options: .regularExpression) != nil,
                "category",
                "must be a slug: lower-case letters, digits and dashes"
            )
        }
    }
}

/// A product as the API shows it.
struct ProductResponse: Codable, Sendable {
    var id: UUID
    var sku: String
    var name: String
    var description: String
    var price: Int
    var currency: String
    var stock: Int
    var category: String?
    var images: [String]
    var createdAt: Date
}

/// One row of the `categories` listing.
struct CategoryResponse: Codable, Sendable {
    var slug: String
    var name: String
    var productCount: Int
}

/// `POST /products/{id}/images` answer.
struct ImageResponse: Codable, Sendable {
    var id: UUID
    var url: String
}

/// `PUT /products/{id}/images`: every image id of the product, in the new display order.
struct ImageOrderRequest: Decodable, Sendable {
    static let maximumImages = 100
    var imageIds: [UUID]
}
