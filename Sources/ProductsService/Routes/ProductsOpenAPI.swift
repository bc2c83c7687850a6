import ComptoirContracts
import ComptoirKit

/// The schemas and shared fragments of the products service's endpoints (``ProductRoutes`` and
/// ``ImageRoutes`` declare the endpoints themselves).
enum ProductsOpenAPI {
    /// The writable fields of a product: a patch's body, and a creation's with `stock`.
    static let fields: [String: JSONValue] = [
        "sku": OpenAPI.string, "name": OpenAPI.string, "description": OpenAPI.string, "price": ["type": "integer", "minimum": 0],
        "currency": ["type": "string", "pattern": "^[A-Z]{3}$"], "category": OpenAPI.string, "category_name": OpenAPI.string,
    ]
    static let stock: JSONValue = ["type": "integer", "minimum": 0]
    static let createBody: JSONValue = {
        var create = fields
        create["stock"] = stock
        return OpenAPI.object(create, required: ["sku", "name", "price"])
    }()
    static let patchBody = OpenAPI.object(fields)
    static let stockBody = OpenAPI.object(["stock": stock], required: ["stock"])
    static let listParameters: [JSONValue] =
        OpenAPI.pagination + [
            OpenAPI.parameter(
                "q",
                ["type": "string", "description": "full-text over name, sku and description; every word must match (as a prefix)"]
            ),
            OpenAPI.parameter("category", OpenAPI.string), OpenAPI.parameter("min_price", ["type": "integer", "minimum": 0]),
            OpenAPI.parameter("max_price", ["type": "integer", "minimum": 0]),
            OpenAPI.parameter("sort", OpenAPI.enumeration(Catalog.Listing.Sort.allCases.map(\.rawValue))),
        ]
    static let id = OpenAPI.parameter("id", in: "path", OpenAPI.uuid)
    static let imageId = OpenAPI.parameter("image_id", in: "path", OpenAPI.uuid)
    static let catalog = OpenAPIBuilder.Access.roles([.catalog])
    static let product = OpenAPI.json(OpenAPI.ref("Product"))
    static let notFound = OpenAPI.problem("No such product")
    static let skuTaken = OpenAPI.problem("SKU taken")
    static let stored = OpenAPI.json(OpenAPI.object(["id": OpenAPI.uuid, "url": OpenAPI.string], required: ["id", "url"]), "Stored")

    static func schemas(_ api: ServiceAPI) {
        api.schema(
            "Product",
            OpenAPI.object(
                [
                    "id": OpenAPI.uuid, "sku": OpenAPI.string, "name": OpenAPI.string, "description": OpenAPI.string,
                    "price": ["type": "integer", "description": "minor units of currency"], "currency": OpenAPI.string, "stock": OpenAPI.integer,
                    "category": OpenAPI.nullable("string"), "images": OpenAPI.array(of: OpenAPI.string), "created_at": OpenAPI.dateTime,
                ],
                required: ["id", "sku", "name", "description", "price", "currency", "stock", "images", "created_at"]
            )
        )
        api.schema(
            "Category",
            OpenAPI.object(
                ["slug": OpenAPI.string, "name": OpenAPI.string, "product_count": OpenAPI.integer],
                required: ["slug", "name", "product_count"]
            )
        )
    }
}
