import ComptoirContracts
import ComptoirKit

/// The baskets service's OpenAPI document.
enum BasketsOpenAPI {
    static var document: JSONValue {
        var api = OpenAPIBuilder(title: "Comptoir baskets service", tag: "baskets")
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
        let customer = OpenAPIBuilder.Access.roles([.customer])
        let basket = OpenAPI.json(OpenAPI.ref("Basket"))
        let quantity: JSONValue = ["type": "integer", "minimum": 1, "maximum": 99]
        let product = OpenAPI.parameter("product_id", in: "path", OpenAPI.uuid)
        api.operation("GET", "/baskets/mine", id: "show", summary: "The caller's basket in this store", access: customer, responses: [200: basket])
        api.operation(
            "DELETE",
            "/baskets/mine",
            id: "clear",
            summary: "Empty the basket",
            access: customer,
            responses: [204: OpenAPI.empty("Emptied")]
        )
        api.operation(
            "POST",
            "/baskets/mine/items",
            id: "add",
            summary: "Add a product (quantities add up)",
            access: customer,
            body: OpenAPI.object(["product_id": OpenAPI.uuid, "quantity": quantity], required: ["product_id", "quantity"]),
            responses: [200: basket, 404: OpenAPI.problem("No such product"), 409: OpenAPI.problem("Not enough stock, or another currency")]
        )
        api.operation(
            "PATCH",
            "/baskets/mine/items/{product_id}",
            id: "set_quantity",
            summary: "Change a line's quantity",
            access: customer,
            parameters: [product],
            body: OpenAPI.object(["quantity": quantity], required: ["quantity"]),
            responses: [200: basket, 404: OpenAPI.problem("Not in the basket")]
        )
        api.operation(
            "DELETE",
            "/baskets/mine/items/{product_id}",
            id: "remove",
            summary: "Remove a line",
            access: customer,
            parameters: [product],
            responses: [200: basket, 404: OpenAPI.problem("Not in the basket")]
        )
        return api.document
    }
}
