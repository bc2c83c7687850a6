import ComptoirContracts
import HTTPTypes
import Hummingbird

/// A service's HTTP API, each endpoint declared once: the route the router serves, the operation
/// the service's OpenAPI document shows and the access the endpoint requires come from the same
/// call, so that they cannot disagree (the gateway's table of public routes is checked against
/// the documents: `RoutesMatchDocumentsTests`).
///
/// ```swift
/// api.schema("Address", addressSchema)
/// api.endpoint(.get, "/addresses/{id}", id: "show", summary: "One of the caller's addresses", access: .roles([.customer]),
///              parameters: [id], responses: [200: OpenAPI.json(OpenAPI.ref("Address")), 404: OpenAPI.problem("No such address")],
///              use: show)
/// ```
///
/// The access is enforced before the handler runs, by `ComptoirRequestContext.require`: a missing
/// token is a 401, a missing role a 403. A handler then takes the principal with
/// `requirePrincipal()`, without naming the roles again.
public final class ServiceAPI {
    public let router: Router<ComptoirRequestContext>
    private var builder: OpenAPIBuilder

    /// - Parameters:
    ///   - title: the document's title, such as "Comptoir addresses service".
    ///   - tag: the tag of every operation and the prefix of their ids, such as "addresses".
    public init(router: Router<ComptoirRequestContext>, title: String, tag: String) {
        self.router = router
        self.builder = OpenAPIBuilder(title: title, tag: tag)
    }

    /// A schema of the document's components, for ``OpenAPI/ref(_:)``.
    public func schema(_ name: String, _ value: JSONValue) {
        builder.schema(name, value)
    }

    /// Serves `method path` with `handler` and documents it. `path` is written as in the
    /// contract, `/addresses/{id}`; each `{name}` is the route parameter `name`. The error
    /// responses that apply are added to `responses` as ``OpenAPIBuilder/operation(_:_:id:summary:access:parameters:body:responses:)``
    /// adds them.
    public func endpoint(
        _ method: HTTPRequest.Method,
        _ path: String,
        id: String,
        summary: String,
        access: OpenAPIBuilder.Access,
        parameters: [JSONValue] = [],
        body: JSONValue? = nil,
        bodyRequired: Bool = true,
        responses: [Int: JSONValue],
        use handler: @escaping @Sendable (Request, ComptoirRequestContext) async throws -> some ResponseGenerator
    ) {
        builder.operation(
            method.rawValue,
            path,
            id: id,
            summary: summary,
            access: access,
            parameters: parameters,
            body: body,
            bodyRequired: bodyRequired,
            responses: responses
        )
        router.on(Self.routerPath(path), method: method) { request, context in
            try Self.check(access, context)
            return try await handler(request, context)
        }
    }

    /// The OpenAPI 3.1 document of every endpoint declared so far.
    public var document: JSONValue { builder.document }

    /// `/addresses/{id}` as Hummingbird spells it, `/addresses/:id`.
    static func routerPath(_ path: String) -> RouterPath {
        let segments = path.split(separator: "/", omittingEmptySubsequences: false).map { segment -> Substring in
            guard segment.hasPrefix("{"), segment.hasSuffix("}") else { return segment }
            return ":" + segment.dropFirst().dropLast()
        }
        return RouterPath(segments.joined(separator: "/"))
    }

    static func check(_ access: OpenAPIBuilder.Access, _ context: ComptoirRequestContext) throws {
        switch access {
        case .public: return
        case .authenticated: try context.require([])
        case .roles(let roles): try context.require(roles)
        }
    }
}
