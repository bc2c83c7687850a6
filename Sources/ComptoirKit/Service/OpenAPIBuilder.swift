import ComptoirContracts

/// Builds a service's OpenAPI 3.1 document next to its routes, with the shared pieces every
/// service has: the bearer scheme, the RFC 9457 `Problem` schema and the error responses.
///
/// ```swift
/// var api = OpenAPIBuilder(title: "Comptoir websites service", tag: "websites")
/// api.schema("Website", OpenAPI.object(["id": OpenAPI.uuid, "code": OpenAPI.string]))
/// api.operation("GET", "/websites/current", id: "current", summary: "…", access: .public,
///               responses: [200: OpenAPI.json(OpenAPI.ref("Website"))])
/// ```
public struct OpenAPIBuilder: Sendable {
    /// Who may call an operation; it decides `security` and the 401/403 responses listed.
    public enum Access: Sendable {
        case `public`
        case authenticated
        case roles([Role])
    }

    private let title: String
    private let tag: String
    private var paths: [String: [String: JSONValue]] = [:]
    private var schemas: [String: JSONValue] = [:]

    public init(title: String, tag: String) {
        self.title = title
        self.tag = tag
        schemas["Problem"] = OpenAPI.object(
            [
                "type": OpenAPI.string, "title": OpenAPI.string, "status": OpenAPI.integer, "detail": OpenAPI.string,
                "errors": OpenAPI.array(of: OpenAPI.object(["field": OpenAPI.string, "message": OpenAPI.string], required: ["field", "message"])),
            ],
            required: ["type", "title", "status"]
        )
    }

    public mutating func schema(_ name: String, _ value: JSONValue) {
        schemas[name] = value
    }

    /// Adds `method path`. Error responses that apply (400/413/422 with a body, 422 with query
    /// parameters, 401/403 by access, 429 always) are listed for you; add others (404, 409) in `responses`.
    public mutating func operation(
        _ method: String,
        _ path: String,
        id: String,
        summary: String,
        access: Access,
        parameters: [JSONValue] = [],
        body: JSONValue? = nil,
        bodyRequired: Bool = true,
        responses: [Int: JSONValue]
    ) {
        var operation: [String: JSONValue] = ["operationId": .string("\(tag)_\(id)"), "summary": .string(summary), "tags": [.string(tag)]]
        var all = responses
        if let body {
            operation["requestBody"] = ["required": .bool(bodyRequired), "content": ["application/json": ["schema": body]]]
            all[400] = all[400] ?? OpenAPI.problem("Malformed JSON or bad UTF-8")
            all[413] = all[413] ?? OpenAPI.problem("Body too large")
            all[422] = all[422] ?? OpenAPI.problem("Invalid fields, named in errors")
        }
        switch access {
        case .public:
            operation["security"] = []
        case .authenticated:
            all[401] = OpenAPI.problem("Missing, invalid or expired token")
        case .roles(let roles):
            all[401] = OpenAPI.problem("Missing, invalid or expired token")
            all[403] = OpenAPI.problem("Needs role \(roles.map(\.rawValue).joined(separator: " or "))")
        }
        all[429] = all[429] ?? OpenAPI.problem("Rate limited")
        if parameters.contains(where: { $0["in"] == .string("query") }) {
            all[422] = all[422] ?? OpenAPI.problem("Invalid query parameters, named in errors")
        }
        if !parameters.isEmpty { operation["parameters"] = .array(parameters) }
        operation["responses"] = JSONValue.object(Dictionary(uniqueKeysWithValues: all.map { ("\($0.key)", $0.value) }))
        paths[path, default: [:]][method.lowercased()] = JSONValue.object(operation)
    }

    public var document: JSONValue {
        [
            "openapi": "3.1.0",
            "info": ["title": .string(title), "version": "1.0.0"],
            "tags": [["name": .string(tag)]],
            "security": [["bearer": []]],
            "paths": JSONValue.object(paths.mapValues { JSONValue.object($0) }),
            "components": [
                "securitySchemes": ["bearer": ["type": "http", "scheme": "bearer", "bearerFormat": "JWT"]],
                "schemas": JSONValue.object(schemas),
            ],
        ]
    }
}

/// Schema and response fragments for ``OpenAPIBuilder``.
public enum OpenAPI {
    public static let string: JSONValue = ["type": "string"]
    public static let integer: JSONValue = ["type": "integer"]
    public static let boolean: JSONValue = ["type": "boolean"]
    public static let uuid: JSONValue = ["type": "string", "format": "uuid"]
    public static let dateTime: JSONValue = ["type": "string", "format": "date-time"]

    public static func ref(_ schema: String) -> JSONValue { ["$ref": .string("#/components/schemas/\(schema)")] }
    public static func array(of items: JSONValue) -> JSONValue { ["type": "array", "items": items] }
    public static func enumeration(_ values: [String]) -> JSONValue { ["type": "string", "enum": JSONValue.array(values.map(JSONValue.string))] }
    public static func nullable(_ type: String) -> JSONValue { ["type": [JSONValue.string(type), "null"]] }

    public static func object(_ properties: [String: JSONValue], required: [String] = []) -> JSONValue {
        ["type": "object", "properties": JSONValue.object(properties), "required": JSONValue.array(required.map(JSONValue.string))]
    }

    /// A paginated list of `item`: `{items, total, page, per_page}`.
    public static func page(of item: String) -> JSONValue {
        object(
            ["items": array(of: ref(item)), "total": integer, "page": integer, "per_page": integer],
            required: ["items", "total", "page", "per_page"]
        )
    }

    /// A JSON response with `schema`.
    public static func json(_ schema: JSONValue, _ description: String = "OK") -> JSONValue {
        ["description": .string(description), "content": ["application/json": ["schema": schema]]]
    }

    /// A response without a body.
    public static func empty(_ description: String) -> JSONValue { ["description": .string(description)] }

    /// A problem+json error response.
    public static func problem(_ description: String) -> JSONValue {
        ["description": .string(description), "content": ["application/problem+json": ["schema": ref("Problem")]]]
    }

    /// A query or path parameter.
    public static func parameter(_ name: String, in location: String = "query", _ schema: JSONValue, required: Bool = false) -> JSONValue {
        ["name": .string(name), "in": .string(location), "required": JSONValue.bool(required || location == "path"), "schema": schema]
    }

    /// `page` and `per_page`.
    public static let pagination: [JSONValue] = [
        parameter("page", ["type": "integer", "minimum": 1, "maximum": .number(Double(PageRequest.maximumPage)), "default": 1]),
        parameter("per_page", ["type": "integer", "minimum": 1, "maximum": 100, "default": 20]),
    ]
}
