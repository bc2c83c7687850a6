import AddressesService
import ComptoirKit
import ComptoirTesting
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

/// Per-country validation, ownership and one default per kind, through HTTP.
@Suite struct AddressTests {
    static func address(
        _ country: String,
        _ postalCode: String,
        region: String? = nil,
        kind: String = "shipping",
        isDefault: Bool = false
    ) -> [String: Any] {
        var body: [String: Any] = [
            "kind": kind, "name": "Ann Martin", "line1": "1 Main Street", "city": "Somewhere", "postal_code": postalCode, "country": country,
            "is_default": isDefault,
        ]
        if let region { body["region"] = region }
        return body
    }

    @Test(arguments: [
        ("FR", "75001", nil, "75001"), ("DE", "10115", nil, "10115"), ("GB", "sw1a1aa", nil, "SW1A 1AA"), ("US", "94105-1234", "CA", "94105-1234"),
        ("ES", "28013", nil, "28013"), ("IT", "00184", nil, "00184"), ("BE", "1000", nil, "1000"), ("NL", "1012ab", nil, "1012 AB"),
        ("CH", "8001", nil, "8001"), ("CA", "k1a0b1", "ON", "K1A 0B1"), ("fr", "13001", nil, "13001"),
    ])
    func validAddressesAreAcceptedAndNormalised(country: String, postalCode: String, region: String?, expected: String) async throws {
        try await TestPlatform.withService(AddressesService.self) { client, environment in
            let token = try await TestPlatform.token(environment)
            let response = try await client.json(.post, "/addresses", body: Self.address(country, postalCode, region: region), token: token)
            #expect(response.status == .created, "\(response.text)")
            #expect(response.object["postal_code"] as? String == expected)
            #expect(response.object["country"] as? String == country.uppercased())
        }
    }

    @Test(arguments: [
        ("FR", "7500"), ("FR", "99000"), ("DE", "00123"), ("GB", "12345"), ("US", "9410"), ("ES", "53001"), ("IT", "0018A"), ("BE", "0999"),
        ("NL", "0123 AB"), ("CH", "80010"), ("CA", "D1A 0B1"),
    ])
    func badPostalCodesAreRefused(country: String, postalCode: String) async throws {
        try await TestPlatform.withService(AddressesService.self) { client, environment in
            let token = try await TestPlatform.token(environment)
            let region = country == "US" ? "NY" : country == "CA" ? "QC" : nil
            let response = try await client.json(.post, "/addresses", body: Self.address(country, postalCode, region: region), token: token)
            #expect(response.status == .unprocessableContent)
            #expect(response.problemFields == ["postal_code"])
        }
    }

    @Test func requiredFieldsAndCountriesAreChecked() async throws {
        try await TestPlatform.withService(AddressesService.self) { client, environment in
            let token = try await TestPlatform.token(environment)
            let noState = try await client.json(.post, "/addresses", body: Self.address("US", "10001"), token: token)
            #expect(noState.problemFields == ["region"])
            let badProvince = try await client.json(.post, "/addresses", body: Self.address("CA", "H2X 1Y4", region: "ZZ"), token: token)
            #expect(badProvince.problemFields == ["region"])
            let unknownCountry = try await client.json(.post, "/addresses", body: Self.address("XX", "12345"), token: token)
            #expect(unknownCountry.problemFields == ["country"])
            var blank = Self.address("FR", "75001", kind: "pickup")
            blank["name"] = " "
            blank["line1"] = ""
            blank["phone"] = "call me"
            let many = try await client.json(.post, "/addresses", body: blank, token: token)
            #expect(Set(many.problemFields) == ["kind", "name", "line1", "phone"])
            #expect(try await client.json(.post, "/addresses", body: Self.address("FR", "75001")).status == .unauthorized)
        }
    }

    @Test func othersAddressesAreInvisible() async throws {
        try await TestPlatform.withService(AddressesService.self) { client, environment in
            let ann = try await TestPlatform.token(environment)
            let bob = try await TestPlatform.token(environment)
            let created = try await client.json(.post, "/addresses", body: Self.address("FR", "75001"), token: ann)
            let id = try #require(created.object["id"] as? String)
            #expect(try await client.json(.get, "/addresses/\(id)", token: ann).status == .ok)
            #expect(try await client.json(.get, "/addresses/\(id)", token: bob).status == .notFound)
            #expect(try await client.json(.put, "/addresses/\(id)", body: Self.address("FR", "69001"), token: bob).status == .notFound)
            #expect(try await client.json(.delete, "/addresses/\(id)", token: bob).status == .notFound)
            let bobsList = try await client.json(.get, "/addresses", token: bob)
            #expect(bobsList.object["total"] as? Int == 0)
            #expect(try await client.json(.get, "/addresses/\(id)", token: ann).status == .ok, "still there")
        }
    }

    @Test func oneDefaultPerKind() async throws {
        try await TestPlatform.withService(AddressesService.self) { client, environment in
            let token = try await TestPlatform.token(environment)
            let first = try await client.json(.post, "/addresses", body: Self.address("FR", "75001"), token: token)
            #expect(first.object["is_default"] as? Bool == true, "the first of a kind is the default")
            let billing = try await client.json(.post, "/addresses", body: Self.address("FR", "75002", kind: "billing"), token: token)
            #expect(billing.object["is_default"] as? Bool == true, "kinds have their own default")
            let second = try await client.json(.post, "/addresses", body: Self.address("DE", "10115", isDefault: true), token: token)
            #expect(second.object["is_default"] as? Bool == true)
            let firstAgain = try await client.json(.get, "/addresses/\(first.object["id"] as! String)", token: token)
            #expect(firstAgain.object["is_default"] as? Bool == false)
            #expect(try await client.json(.delete, "/addresses/\(second.object["id"] as! String)", token: token).status == .noContent)
            let promoted = try await client.json(.get, "/addresses/\(first.object["id"] as! String)", token: token)
            #expect(promoted.object["is_default"] as? Bool == true, "deleting the default promotes another")
            let shipping = try await client.json(.get, "/addresses?kind=shipping", token: token)
            #expect(shipping.object["total"] as? Int == 1)
        }
    }
}
