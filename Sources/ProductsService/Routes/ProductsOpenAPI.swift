import ComptoirContracts
import ComptoirKit

/// The products service's OpenAPI document.
enum ProductsOpenAPI {
    static var document: JSONValue {
        var api = OpenAPIBuilder(title: "Comptoir products service", tag: "products")
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
        let fields: [String: JSONValue] = [
            "sku": OpenAPI.string, "name": OpenAPI.string, "description": OpenAPI.string, "price": ["type": "integer", "minimum": 0],
            "currency": ["type": "string", "pattern": "^[A-Z]{3}$"], "category": OpenAPI.string, "category_name": OpenAPI.string,
        ]
        var create = fields
        create["stock"] = ["type": "integer", "minimum": 0]
        let id = OpenAPI.parameter("id", in: "path", OpenAPI.uuid)
        let catalog = OpenAPIBuilder.Access.roles([.catalog])
        let notFound = OpenAPI.problem("No such product")
        api.operation(
            "GET",
            "/products",
            id: "list",
            summary: "Search and list the catalog",
            access: .public,
            parameters: OpenAPI.pagination + [
                OpenAPI.parameter(
                    "q",
                    ["type": "string", "description": "full-text over name, sku and description; every word must match (as a prefix)"]
                ),
                OpenAPI.parameter("category", OpenAPI.string), OpenAPI.parameter("min_price", ["type": "integer", "minimum": 0]),
                OpenAPI.parameter("max_price", ["type": "integer", "minimum": 0]),
                OpenAPI.parameter("sort", OpenAPI.enumeration(Catalog.Listing.Sort.allCases.map(\.rawValue))),
            ],
            responses: [200: OpenAPI.json(OpenAPI.page(of: "Product")), 422: OpenAPI.problem("Bad filter")]
        )
        api.operation(
            "GET",
            "/products/{id}",
            id: "show",
            summary: "One product",
            access: .public,
            parameters: [id],
            responses: [200: OpenAPI.json(OpenAPI.ref("Product")), 404: notFound]
        )
        api.operation(
            "POST",
            "/products",
            id: "create",
            summary: "Add a product",
            access: catalog,
            body: OpenAPI.object(create, required: ["sku", "name", "price"]),
            responses: [201: OpenAPI.json(OpenAPI.ref("Product"), "Created"), 409: OpenAPI.problem("SKU taken")]
        )
        api.operation(
            "PATCH",
            "/products/{id}",
            id: "update",
            summary: "Change some fields of a product",
            access: catalog,
            parameters: [id],
            body: OpenAPI.object(fields),
            responses: [200: OpenAPI.json(OpenAPI.ref("Product")), 404: notFound, 409: OpenAPI.problem("SKU taken")]
        )
        api.operation(
            "DELETE",
            "/products/{id}",
            id: "delete",
            summary: "Remove a product",
            access: catalog,
            parameters: [id],
            responses: [204: OpenAPI.empty("Deleted"), 404: notFound]
        )
        api.operation(
            "PUT",
            "/products/{id}/stock",
            id: "set_stock",
            summary: "Set the available stock",
            access: catalog,
            parameters: [id],
            body: OpenAPI.object(["stock": ["type": "integer", "minimum": 0]], required: ["stock"]),
            responses: [200: OpenAPI.json(OpenAPI.ref("Product")), 404: notFound]
        )
        api.operation(
            "GET",
            "/categories",
            id: "categories",
            summary: "The store's categories with their product counts",
            access: .public,
            responses: [200: OpenAPI.json(OpenAPI.array(of: OpenAPI.ref("Category")))]
        )
        var upload = [String: JSONValue]()
        upload["requestBody"] = ["required": true, "content": ["image/jpeg": [:], "image/png": [:], "image/webp": [:]]]
        api.operation(
            "POST",
            "/products/{id}/images",
            id: "upload_image",
            summary: "Add an image (JPEG, PNG or WebP, at most 5 MiB, raw body)",
            access: catalog,
            parameters: [id],
            responses: [
                201: OpenAPI.json(OpenAPI.object(["id": OpenAPI.uuid, "url": OpenAPI.string], required: ["id", "url"]), "Stored"), 404: notFound,
                413: OpenAPI.problem("Over 5 MiB"), 415: OpenAPI.problem("Not a JPEG, PNG or WebP image"),
            ]
        )
        api.operation(
            "GET",
            "/products/{id}/images/{image_id}",
            id: "image",
            summary: "An image's bytes",
            access: .public,
            parameters: [id, OpenAPI.parameter("image_id", in: "path", OpenAPI.uuid)],
            responses: [200: ["description": "The image", "content": ["image/*": [:]]], 404: OpenAPI.problem("No such image")]
        )
        return api.document
    }
}
