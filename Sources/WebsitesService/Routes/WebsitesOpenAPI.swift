import ComptoirContracts
import ComptoirKit

/// The schemas and shared fragments of the websites service's endpoints (``WebsiteRoutes``
/// declares the endpoints themselves).
enum WebsitesOpenAPI {
    static let body = OpenAPI.object(
        [
            "code": ["type": "string", "pattern": "^[a-z0-9][a-z0-9-]{0,31}$"], "name": OpenAPI.string, "domain": OpenAPI.nullable("string"),
            "currency": ["type": "string", "pattern": "^[A-Z]{3}$"], "locale": OpenAPI.string,
        ],
        required: ["code", "name", "currency", "locale"]
    )
    static let id = OpenAPI.parameter("id", in: "path", OpenAPI.uuid)
    static let admin = OpenAPIBuilder.Access.roles([.admin])
    static let website = OpenAPI.json(OpenAPI.ref("Website"))
    static let notFound = OpenAPI.problem("No such website")
    static let taken = OpenAPI.problem("Code or domain taken")

    static func schemas(_ api: ServiceAPI) {
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
    }
}
