import ComptoirContracts
import ComptoirKit
import ComptoirPlatform
import ComptoirTesting
import Foundation
import HTTPTypes
import Hummingbird
import NIOHTTP1
import Testing

@testable import Gateway

/// Every service's router and its OpenAPI document name the same operations: a route the
/// document lacks is out of reach of generated clients and fuzzers; an operation the router
/// lacks is a promise the service does not keep.
@Suite struct RoutesMatchDocumentsTests {
    /// Routes every service gets from its host, described by the kit rather than by each document.
    static let hostRoutes: Set<String> = ["GET /health/live", "GET /health/ready", "GET /metrics", "GET /openapi.json"]

    /// `METHOD /path/{param}` for each route of the router, parameters in OpenAPI's braces.
    static func routes(of host: ServiceHost) -> Set<String> {
        Set(
            host.router.routes.map { route in
                let path = route.path.description.split(separator: "/", omittingEmptySubsequences: false).map { segment in
                    segment.hasPrefix(":") ? "{\(segment.dropFirst())}" : String(segment)
                }.joined(separator: "/")
                return "\(route.method.rawValue) \(path)"
            }
        ).subtracting(hostRoutes)
    }

    /// `METHOD /path/{param}` for each operation of the document.
    static func operations(of document: JSONValue?) -> Set<String> {
        Set(operationObjects(of: document).map(\.key))
    }

    /// Each operation of the document under `METHOD /path/{param}`.
    static func operationObjects(of document: JSONValue?) -> [(key: String, operation: JSONValue)] {
        guard case .object(let paths)? = document?["paths"] else { return [] }
        return paths.flatMap { path, item -> [(key: String, operation: JSONValue)] in
            guard case .object(let methods) = item else { return [] }
            return methods.filter { ["get", "put", "post", "delete", "patch", "head", "options", "trace"].contains($0.key) }
                .map { (key: "\($0.key.uppercased()) \(path)", operation: $0.value) }
        }
    }

    /// An operation is public when its document says `security: []`.
    static func isPublic(_ operation: JSONValue) -> Bool { operation["security"] == .array([]) }

    @Test(arguments: ServiceCatalog.ids)
    func theRouterAndTheDocumentAgree(_ id: ServiceID) async throws {
        let directory = try TestPlatform.temporaryDirectory()
        let platform = try await TestPlatform.resources(dataDirectory: directory)
        let type = try #require(ServiceCatalog.type(of: id))
        let host = try await ServiceHost.make(type, platform: platform, loadDemoData: false)
        let routes = Self.routes(of: host)
        let operations = Self.operations(of: host.document)
        await host.environment.database.shutdown()
        await platform.shutdown()
        try? FileManager.default.removeItem(at: directory)
        #expect(!routes.isEmpty)
        #expect(routes.subtracting(operations).sorted() == [], "served but not in the \(id.rawValue) document")
        #expect(operations.subtracting(routes).sorted() == [], "in the \(id.rawValue) document but not served")
    }

    /// The gateway lets a request without a token through exactly to the operations the
    /// services' documents mark public.
    @Test func theGatewaysPublicRoutesAreTheDocumentsPublicOperations() async throws {
        let directory = try TestPlatform.temporaryDirectory()
        let platform = try await TestPlatform.resources(dataDirectory: directory)
        var publicOperations: Set<String> = []
        var matchedRules: Set<Int> = []
        for id in ServiceCatalog.ids {
            let type = try #require(ServiceCatalog.type(of: id))
            let host = try await ServiceHost.make(type, platform: platform, loadDemoData: false)
            for (key, operation) in Self.operationObjects(of: host.document) {
                let parts = key.split(separator: " ", maxSplits: 1)
                let method = try #require(HTTPRequest.Method(String(parts[0])))
                // A sample request path: each `{param}` one segment.
                let path = parts[1].split(separator: "/").map { $0.hasPrefix("{") ? "x" : String($0) }.joined(separator: "/")
                let segments = path.split(separator: "/")
                let gatewayPublic = PublicRoutes.isPublic(method, path: "/" + path)
                #expect(
                    gatewayPublic == Self.isPublic(operation),
                    "\(key): public for the gateway \(gatewayPublic), in the \(id.rawValue) document \(Self.isPublic(operation))"
                )
                if Self.isPublic(operation) { publicOperations.insert(key) }
                for (index, rule) in PublicRoutes.rules.enumerated() where rule.matches(method, segments) { matchedRules.insert(index) }
            }
            await host.environment.database.shutdown()
        }
        await platform.shutdown()
        try? FileManager.default.removeItem(at: directory)
        #expect(publicOperations.count > 10)
        let unused = PublicRoutes.rules.indices.filter { !matchedRules.contains($0) }.map {
            "\(PublicRoutes.rules[$0].method) \(PublicRoutes.rules[$0].pattern.joined(separator: "/"))"
        }
        #expect(unused == [], "public rules no document operation needs")
    }

    /// The gateway's merged document (`GET /api/v1/openapi.json`, what clients and fuzzers
    /// read) holds every operation of every service under `/api/v1`, and the gateway's own.
    @Test func theMergedDocumentHasEveryServedRoute() async throws {
        let directory = try TestPlatform.temporaryDirectory()
        let resources = try await TestPlatform.resources(dataDirectory: directory)
        var served: Set<String> = ["GET /api/v1/account/overview", "GET /api/v1/audit", "GET /api/v1/openapi.json"]
        for id in ServiceCatalog.ids {
            let type = try #require(ServiceCatalog.type(of: id))
            let host = try await ServiceHost.make(type, platform: resources, loadDemoData: false)
            for route in Self.routes(of: host) {
                let parts = route.split(separator: " ", maxSplits: 1)
                served.insert("\(parts[0]) /api/v1\(parts[1])")
            }
            await host.environment.database.shutdown()
        }
        await resources.shutdown()
        try? FileManager.default.removeItem(at: directory)
        let expected = served
        try await RunningPlatform.run(loadDemoData: false) { platform in
            let reply = try await platform.send(.GET, "/api/v1/openapi.json")
            let merged = try WireJSON.makeDecoder().decode(JSONValue.self, from: reply.body)
            let documented = Self.operations(of: merged)
            #expect(expected.subtracting(documented).sorted() == [], "served but missing from the merged document")
            #expect(documented.subtracting(expected).sorted() == [], "in the merged document but not served")
        }
    }
}
