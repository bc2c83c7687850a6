import ComptoirContracts
import ComptoirKit

/// The addresses service's OpenAPI document.
enum AddressesOpenAPI {
    static var document: JSONValue {
        var api = OpenAPIBuilder(title: "Comptoir addresses service", tag: "addresses")
        let fields: [String: JSONValue] = [
            "kind": OpenAPI.enumeration(["shipping", "billing"]), "name": OpenAPI.string, "line1": OpenAPI.string,
            "line2": OpenAPI.nullable("string"), "city": OpenAPI.string,
            "region": ["type": ["string", "null"], "description": "state or province code; required for US and CA"],
            "postal_code": ["type": "string", "description": "checked against the country's format"],
            "country": OpenAPI.enumeration(CountryRules.all.keys.sorted()), "phone": OpenAPI.nullable("string"),
            "is_default": OpenAPI.boolean,
        ]
        var response = fields
        response["id"] = OpenAPI.uuid
        response["created_at"] = OpenAPI.dateTime
        api.schema("Address", OpenAPI.object(response, required: ["id", "kind", "name", "line1", "city", "postal_code", "country", "is_default"]))
        let body = OpenAPI.object(fields, required: ["kind", "name", "line1", "city", "postal_code", "country"])
        let id = OpenAPI.parameter("id", in: "path", OpenAPI.uuid)
        let owner = OpenAPIBuilder.Access.roles([.customer])
        api.operation(
            "GET",
            "/addresses",
            id: "list",
            summary: "The caller's addresses, defaults first",
            access: owner,
            parameters: OpenAPI.pagination + [OpenAPI.parameter("kind", OpenAPI.enumeration(["shipping", "billing"]))],
            responses: [200: OpenAPI.json(OpenAPI.page(of: "Address"))]
        )
        api.operation(
            "POST",
            "/addresses",
            id: "create",
            summary: "Add an address",
            access: owner,
            body: body,
            responses: [201: OpenAPI.json(OpenAPI.ref("Address"), "Created")]
        )
        api.operation(
            "GET",
            "/addresses/{id}",
            id: "show",
            summary: "One of the caller's addresses",
            access: owner,
            parameters: [id],
            responses: [200: OpenAPI.json(OpenAPI.ref("Address")), 404: OpenAPI.problem("No such address of yours")]
        )
        api.operation(
            "PUT",
            "/addresses/{id}",
            id: "update",
            summary: "Replace one of the caller's addresses",
            access: owner,
            parameters: [id],
            body: body,
            responses: [200: OpenAPI.json(OpenAPI.ref("Address")), 404: OpenAPI.problem("No such address of yours")]
        )
        api.operation(
            "DELETE",
            "/addresses/{id}",
            id: "delete",
            summary: "Remove one of the caller's addresses",
            access: owner,
            parameters: [id],
            responses: [204: OpenAPI.empty("Deleted"), 404: OpenAPI.problem("No such address of yours")]
        )
        return api.document
    }
}
