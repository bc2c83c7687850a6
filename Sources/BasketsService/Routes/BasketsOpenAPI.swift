import ComptoirContracts
import ComptoirKit

/// The schemas and shared fragments of the baskets service's endpoints (``BasketRoutes``
/// declares the endpoints themselves).
enum BasketsOpenAPI {
    static let customer = OpenAPIBuilder.Access.roles([.customer])
    static let basket = OpenAPI.json(OpenAPI.ref("Basket"))
    static let quantity: JSONValue = ["type": "integer", "minimum": 1, "maximum": 99]
    static let addBody = OpenAPI.object(["product_id": OpenAPI.uuid, "quantity": quantity], required: ["product_id", "quantity"])
    static let quantityBody = OpenAPI.object(["quantity": quantity], required: ["quantity"])
    static let productId = OpenAPI.parameter("product_id", in: "path", OpenAPI.uuid)
    static let notInBasket = OpenAPI.problem("Not in the basket")

    static func schemas(_ api: ServiceAPI) {
        api.schema(
            "Basket",
            OpenAPI.object(
                [
                    "items": OpenAPI.array(
                        of: OpenAPI.object(
                            [
                                "product_id": OpenAPI.uuid, "name": OpenAPI.string, "unit_price": OpenAPI.integer, "quantity": OpenAPI.integer,
                                "line_total": OpenAPI.integer,
                            ],
                            required: ["product_id", "name", "unit_price", "quantity", "line_total"]
                        )
                    ),
                    "total": OpenAPI.integer, "currency": OpenAPI.nullable("string"),
                ],
                required: ["items", "total"]
            )
        )
    }
}
