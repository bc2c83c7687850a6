import ComptoirContracts
import ComptoirKit

/// The schemas and shared fragments of the addresses service's endpoints (``AddressRoutes``
/// declares the endpoints themselves).
enum AddressesOpenAPI {
    static let fields: [String: JSONValue] = [
        "kind": OpenAPI.enumeration(["shipping", "billing"]), "name": OpenAPI.string, "line1": OpenAPI.string,
        "line2": OpenAPI.nullable("string"), "city": OpenAPI.string,
        "region": ["type": ["string", "null"], "description": "state or province code; required for US and CA"],
        "postal_code": ["type": "string", "description": "checked against the country's format"],
        "country": OpenAPI.enumeration(CountryRules.all.keys.sorted()), "phone": OpenAPI.nullable("string"),
        "is_default": OpenAPI.boolean,
    ]
    static let body = OpenAPI.object(fields, required: ["kind", "name", "line1", "city", "postal_code", "country"])
    static let id = OpenAPI.parameter("id", in: "path", OpenAPI.uuid)
    static let owner = OpenAPIBuilder.Access.roles([.customer])
    static let notFound = OpenAPI.problem("No such address of yours")

    static func schemas(_ api: ServiceAPI) {
        var response = fields
        response["id"] = OpenAPI.uuid
        response["created_at"] = OpenAPI.dateTime
        api.schema("Address", OpenAPI.object(response, required: ["id", "kind", "name", "line1", "city", "postal_code", "country", "is_default"]))
    }
}
