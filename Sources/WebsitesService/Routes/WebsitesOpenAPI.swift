import ComptoirContracts
import ComptoirKit

/// The websites service's OpenAPI document.
enum WebsitesOpenAPI {
    static var document: JSONValue {
        var api = OpenAPIBuilder(title: "Comptoir websites service", tag: "websites")
        api.schema(
            "Website",
            OpenAPI.object(
                [
                    "id": OpenAPI.uuid, "code": OpenAPI.string, "name": OpenAPI.string, "domain": OpenAPI.nullable("string"),
                    "currency": OpenAPI.string, "locale": OpenAPI.string,
                ],
                required: ["id", "code", "name", "currency", "locale"]
            )
        )
        let body = OpenAPI.object(
            [
                "code": ["type": "string", "pattern": "^[a-z0-9][a-z0-9-]{0,31}$"], "name": OpenAPI.string, "domain": OpenAPI.nullable("string"),
                "currency": ["type": "string", "pattern": "^[A-Z]{3}$"], "locale": OpenAPI.string,
            ],
            required: ["code", "name", "currency", "locale"]
        )
        let id = OpenAPI.parameter("id", in: "path", OpenAPI.uuid)
        api.operation(
            "GET",
            "/websites/current",
            id: "current",
            summary: "The store chosen by X-Website or the Host header",
            access: .public,
            parameters: [OpenAPI.parameter("X-Website", in: "header", OpenAPI.string)],
            responses: [200: OpenAPI.json(OpenAPI.ref("Website")), 404: OpenAPI.problem("Unknown website code")]
        )
        api.operation(
            "GET",
            "/websites",
            id: "list",
            summary: "List stores",
            access: .roles([.admin]),
            parameters: OpenAPI.pagination,
            responses: [200: OpenAPI.json(OpenAPI.page(of: "Website"))]
        )
        api.operation(
            "POST",
            "/websites",
            id: "create",
            summary: "Create a store",
            access: .roles([.admin]),
            body: body,
            responses: [201: OpenAPI.json(OpenAPI.ref("Website"), "Created"), 409: OpenAPI.problem("Code or domain taken")]
        )
        api.operation(
            "GET",
            "/websites/{id}",
            id: "show",
            summary: "One store",
            access: .roles([.admin]),
            parameters: [id],
            responses: [200: OpenAPI.json(OpenAPI.ref("Website")), 404: OpenAPI.problem("No such website")]
        )
        api.operation(
            "PUT",
            "/websites/{id}",
            id: "update",
            summary: "Replace a store's settings",
            access: .roles([.admin]),
            parameters: [id],
            body: body,
            responses: [
                200: OpenAPI.json(OpenAPI.ref("Website")), 404: OpenAPI.problem("No such website"), 409: OpenAPI.problem("Code or domain taken"),
            ]
        )
        return api.document
    }
}
