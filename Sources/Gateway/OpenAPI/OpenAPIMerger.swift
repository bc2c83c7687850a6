import AsyncHTTPClient
import ComptoirContracts
import ComptoirKit
import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOFoundationEssentialsCompat
import NIOHTTP1

/// Builds the platform's OpenAPI 3.1 document from each service's own `/openapi.json`:
/// paths get the `/api/v1` prefix, components are merged (the first definition of a name wins),
/// and the result is kept for 30 seconds. A service that does not answer is left out, not fatal.
final class OpenAPIMerger: Sendable {
    let httpClient: HTTPClient
    let upstreams: [ServiceID: URL]
    let logger: Logger
    private let cached = NIOLockedValueBox<(document: JSONValue, at: ContinuousClock.Instant)?>(nil)

    init(httpClient: HTTPClient, upstreams: [ServiceID: URL], logger: Logger) {
        self.httpClient = httpClient
        self.upstreams = upstreams
        self.logger = logger
    }

    func document() async -> JSONValue {
        if let cached = cached.withLockedValue({ $0 }), ContinuousClock.now - cached.at < .seconds(30) { return cached.document }
        var documents: [(ServiceID, JSONValue)] = []
        await withTaskGroup(of: (ServiceID, JSONValue?).self) { group in
            for (service, url) in upstreams {
                group.addTask { (service, await self.fetch(url.appendingPathComponent("openapi.json"))) }
            }
            for await (service, document) in group {
                if let document { documents.append((service, document)) }
            }
        }
        documents.sort { $0.0.portOffset < $1.0.portOffset }
        let merged = Self.merge(documents.map(\.1))
        // Only a complete document is cached, so a service that was briefly down appears soon.
        if documents.count == upstreams.count { cached.withLockedValue { $0 = (merged, .now) } }
        return merged
    }

    private func fetch(_ url: URL) async -> JSONValue? {
        do {
            let response = try await httpClient.execute(HTTPClientRequest(url: url.absoluteString), timeout: .seconds(3))
            guard response.status == .ok else { return nil }
            let body = try await response.body.collect(upTo: 4 << 20)
            return try JSONDecoder().decode(JSONValue.self, from: body)
        } catch {
            logger.warning("cannot fetch an OpenAPI document", metadata: ["url": .string(url.absoluteString), "error": .string("\(error)")])
            return nil
        }
    }

    static func merge(_ documents: [JSONValue]) -> JSONValue {
        var paths: [String: JSONValue] = [:]
        var components: [String: [String: JSONValue]] = [:]
        var tags: [JSONValue] = []
        for document in documents {
            for (path, item) in document["paths"]?.objectValue ?? [:] { paths["/api/v1" + path] = item }
            for (section, entries) in document["components"]?.objectValue ?? [:] {
                for (name, value) in entries.objectValue ?? [:] where components[section]?[name] == nil {
                    components[section, default: [:]][name] = value
                }
            }
            if case .array(let documentTags)? = document["tags"] { tags += documentTags }
        }
        paths["/api/v1/openapi.json"] = .object([
            "get": .object([
                "operationId": .string("gateway_openapi"), "summary": .string("This document"), "tags": .array([.string("gateway")]),
                "security": .array([]),
                "responses": .object(["200": .object(["description": .string("The merged OpenAPI document")])]),
            ])
        ])
        paths["/api/v1/account/overview"] = .object([
            "get": .object([
                "operationId": .string("gateway_account_overview"), "tags": .array([.string("gateway")]),
                "summary": .string("The account, its 5 latest orders, the basket's line count and open tickets in one call (role customer)"),
                "responses": .object([
                    "200": .object([
                        "description": .string("A part whose service is unavailable is null and named in `unavailable`"),
                        "content": .object([
                            "application/json": .object([
                                "schema": .object([
                                    "type": .string("object"), "required": .array([.string("user"), .string("unavailable")]),
                                    "properties": .object([
                                        "user": .object(["type": .string("object")]),
                                        "latest_orders": .object([
                                            "type": .array([.string("array"), .string("null")]), "items": .object(["type": .string("object")]),
                                        ]),
                                        "basket_line_count": .object(["type": .array([.string("integer"), .string("null")])]),
                                        "open_tickets": .object(["type": .array([.string("integer"), .string("null")])]),
                                        "unavailable": .object(["type": .string("array"), "items": .object(["type": .string("string")])]),
                                    ]),
                                ])
                            ])
                        ]),
                    ]),
                    "401": .object(["description": .string("No valid token")]),
                ]),
            ])
        ])
        paths["/api/v1/audit"] = [
            "get": [
                "operationId": "gateway_audit", "tags": ["gateway"],
                "summary": "Every service's audit trail merged, newest first (role admin); page × per_page at most 1000",
                "parameters": .array(
                    OpenAPI.pagination + AuditTrailQuery.parameters
                        + [OpenAPI.parameter("service", OpenAPI.enumeration(ServiceID.allCases.map(\.rawValue)))]
                ),
                "responses": [
                    "200": OpenAPI.json(OpenAPI.page(of: "AuditRecord")), "401": OpenAPI.problem("No valid token"),
                    "403": OpenAPI.problem("Not an admin"), "422": OpenAPI.problem("A malformed filter, named in errors"),
                    "502": OpenAPI.problem("A service could not answer"),
                ],
            ]
        ]
        return .object([
            "openapi": .string("3.1.0"),
            "info": .object([
                "title": .string("Comptoir API"), "version": .string("1.0.0"),
                "description": .string("The public API of the Comptoir platform, merged from each service's own document."),
            ]),
            "servers": .array([.object(["url": .string("/")])]),
            "paths": .object(paths),
            "components": .object(components.mapValues { .object($0) }),
            "security": .array([.object(["bearer": .array([])])]),
            "tags": .array(tags),
        ])
    }
}
