import ComptoirContracts
import ComptoirKit
import ComptoirTesting
import FluentKit
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// `ServiceAPI.endpoint`: one declaration is a route (contract path, `{id}` a parameter), an
/// operation of the service's document, and an access check made before the handler runs.
@Suite struct ServiceAPITests {
    /// A service whose handlers check nothing themselves: every 401 and 403 below is the declaration's.
    struct ThingsService: ComptoirService {
        static let id = ServiceID.questions
        init(environment: ServiceEnvironment) async throws {}
        var migrations: [any Migration] { [] }

        func declare(_ api: ServiceAPI) {
            api.endpoint(.get, "/things", id: "list", summary: "Anyone", access: .public, responses: [200: OpenAPI.empty("OK")]) { _, _ in
                "all"
            }
            api.endpoint(
                .get,
                "/things/{id}",
                id: "show",
                summary: "Signed-in callers",
                access: .authenticated,
                parameters: [OpenAPI.parameter("id", in: "path", OpenAPI.string)],
                responses: [200: OpenAPI.empty("OK")]
            ) { _, context in
                context.parameters.get("id") ?? "none"
            }
            api.endpoint(
                .delete,
                "/things/{id}",
                id: "delete",
                summary: "Catalog",
                access: .roles([.catalog]),
                responses: [204: OpenAPI.empty("Gone")]
            ) {
                _,
                _ in
                Response(status: .noContent)
            }
        }
    }

    @Test func theDeclaredAccessIsEnforcedAndDocumented() async throws {
        try await TestPlatform.withService(ThingsService.self) { client, environment in
            let customer = try await TestPlatform.token(environment, roles: [.customer])
            let catalog = try await TestPlatform.token(environment, roles: [.catalog])

            #expect(try await client.json(.get, "/things").status == .ok)
            #expect(try await client.json(.get, "/things/abc").status == .unauthorized)
            let shown = try await client.json(.get, "/things/abc", token: customer)
            #expect(shown.status == .ok && String(buffer: shown.body) == "abc", "the path's {id} is the route parameter id")
            #expect(try await client.json(.delete, "/things/abc").status == .unauthorized)
            #expect(try await client.json(.delete, "/things/abc", token: customer).status == .forbidden)
            #expect(try await client.json(.delete, "/things/abc", token: catalog).status == .noContent)

            let document = try await client.json(.get, "/openapi.json").object
            let paths = try #require(document["paths"] as? [String: [String: Any]])
            // The kit declares every service's audit trail beside its own endpoints.
            #expect(Set(paths.keys) == ["/things", "/things/{id}", "/questions/audit-trail"])
            #expect((paths["/things"]?["get"] as? [String: Any])?["security"] as? [Any] != nil, "public: security []")
            let delete = try #require(paths["/things/{id}"]?["delete"] as? [String: Any])
            #expect(delete["operationId"] as? String == "questions_delete")
            #expect(Set(((delete["responses"] as? [String: Any]) ?? [:]).keys).isSuperset(of: ["204", "401", "403", "429"]))
        }
    }
}
