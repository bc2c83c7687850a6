import ComptoirContracts
import ComptoirKit

/// The schemas and shared fragments of the auth service's endpoints (``SessionRoutes`` and
/// ``AdminRoutes`` declare the endpoints themselves).
enum AuthOpenAPI {
    static let customer = OpenAPIBuilder.Access.roles([.customer])
    static let admin = OpenAPIBuilder.Access.roles([.admin])

    // MARK: Bodies

    static let registerBody = OpenAPI.object(
        [
            "email": ["type": "string", "format": "email", "maxLength": 254],
            "password": [
                "type": "string", "minLength": .number(Double(PasswordHasher.minimumCharacters)),
                "description": .string("at most \(PasswordHasher.maximumBytes) bytes"),
            ],
            "name": ["type": "string", "minLength": 1, "maxLength": 100],
        ],
        required: ["email", "password", "name"]
    )
    static let loginBody = OpenAPI.object(
        ["email": OpenAPI.string, "password": OpenAPI.string, "otp": OpenAPI.string],
        required: ["email", "password"]
    )
    /// `POST /auth/refresh` and `POST /auth/logout`.
    static let refreshBody = OpenAPI.object(["refresh_token": OpenAPI.string], required: ["refresh_token"])
    static let passwordBody = OpenAPI.object(
        [
            "current_password": OpenAPI.string,
            "new_password": ["type": "string", "minLength": .number(Double(PasswordHasher.minimumCharacters))],
        ],
        required: ["current_password", "new_password"]
    )
    static let forgotBody = OpenAPI.object(["email": ["type": "string", "maxLength": 254]], required: ["email"])
    static let resetBody = OpenAPI.object(
        [
            "token": ["type": "string", "minLength": 1, "maxLength": 256],
            "new_password": ["type": "string", "minLength": .number(Double(PasswordHasher.minimumCharacters))],
        ],
        required: ["token", "new_password"]
    )
    static let rolesBody = OpenAPI.object(
        ["roles": ["type": "array", "minItems": 1, "items": OpenAPI.enumeration(Role.assignable.map(\.rawValue))]],
        required: ["roles"]
    )

    // MARK: Parameters

    static let id = OpenAPI.parameter("id", in: "path", OpenAPI.uuid)
    /// `page` and `per_page` as this document has always listed them: without `required` and
    /// without the upper bound of `page` (`OpenAPI.pagination` has both).
    static let pagination: [JSONValue] = [
        query("page", ["type": "integer", "minimum": 1, "default": 1]),
        query("per_page", ["type": "integer", "minimum": 1, "maximum": 100, "default": 20]),
    ]
    static let userSearch = query("q", OpenAPI.string, description: "part of an e-mail or name")
    static let auditFilters: [JSONValue] = [
        query("user_id", OpenAPI.uuid),
        query("action", OpenAPI.enumeration(AuditAction.allCases.map(\.rawValue))),
    ]

    /// An optional query parameter, written as this document has always written them: without
    /// `required` (`OpenAPI.parameter` adds `"required": false`).
    static func query(_ name: String, _ schema: JSONValue, description: String? = nil) -> JSONValue {
        var parameter: [String: JSONValue] = ["name": .string(name), "in": "query", "schema": schema]
        if let description { parameter["description"] = .string(description) }
        return .object(parameter)
    }

    // MARK: Responses

    static let user = OpenAPI.json(OpenAPI.ref("User"), "The account")
    static let tokenPair = OpenAPI.json(OpenAPI.ref("TokenPair"), "A token pair")
    static let badCredentials = OpenAPI.problem("Missing, invalid or expired token, or wrong credentials")
    static let notFound = OpenAPI.problem("No such resource")
    static let conflict = OpenAPI.problem("Conflict with the current state")
    /// The 429 of every endpoint, with the `Retry-After` the rate limiter sends.
    static let rateLimited = tooManyRequests("Rate limited")
    /// The login's 429: the rate limit or the account's lockout, both with `Retry-After`.
    static let rateLimitedOrLocked = tooManyRequests("Rate limited or account locked")

    static func tooManyRequests(_ description: String) -> JSONValue {
        var response = OpenAPI.problem(description).objectValue ?? [:]
        response["headers"] = ["Retry-After": ["description": "Seconds to wait", "schema": OpenAPI.integer]]
        return .object(response)
    }

    // MARK: Schemas

    static func schemas(_ api: ServiceAPI) {
        api.schema(
            "User",
            OpenAPI.object(
                [
                    "id": OpenAPI.uuid, "email": OpenAPI.string, "name": OpenAPI.string, "roles": OpenAPI.array(of: OpenAPI.string),
                    "created_at": OpenAPI.dateTime,
                ],
                required: ["id", "email", "name", "roles", "created_at"]
            )
        )
        api.schema(
            "TokenPair",
            OpenAPI.object(
                [
                    "access_token": OpenAPI.string, "refresh_token": OpenAPI.string, "token_type": ["type": "string", "const": "Bearer"],
                    "expires_in": OpenAPI.integer,
                ],
                required: ["access_token", "refresh_token", "token_type", "expires_in"]
            )
        )
        api.schema("UserPage", OpenAPI.page(of: "User"))
        let nullableUUID: JSONValue = ["type": ["string", "null"], "format": "uuid"]
        api.schema(
            "AuditEntry",
            OpenAPI.object(
                [
                    "id": OpenAPI.uuid, "action": OpenAPI.string, "user_id": nullableUUID, "actor_id": nullableUUID,
                    "ip": OpenAPI.nullable("string"), "user_agent": OpenAPI.nullable("string"), "detail": OpenAPI.nullable("string"),
                    "at": OpenAPI.dateTime,
                ],
                required: ["id", "action", "at"]
            )
        )
        api.schema("AuditPage", OpenAPI.page(of: "AuditEntry"))
        let key: [String: JSONValue] = [
            "kty": ["const": "OKP"], "crv": ["const": "Ed25519"], "x": OpenAPI.string, "kid": OpenAPI.string,
            "alg": ["const": "EdDSA"], "use": ["const": "sig"],
        ]
        api.schema(
            "JWKS",
            OpenAPI.object(["keys": OpenAPI.array(of: OpenAPI.object(key, required: ["kty", "crv", "x", "kid"]))], required: ["keys"])
        )
    }
}
