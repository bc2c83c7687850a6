import AsyncKit
import ComptoirKit
import ComptoirTesting
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Testing

/// Every error class becomes an RFC 9457 problem with the right status, through real HTTP handling.
@Suite struct ErrorHandlingTests {
    struct Item: Codable, Sendable {
        var name: String
        var quantity: Int
    }

    struct SecretFailure: Error, CustomStringConvertible {
        var description: String { "database password is hunter2" }
    }

    func makeApplication() throws -> some ApplicationProtocol {
        let configuration = try TestPlatform.configuration(
            dataDirectory: FileManager.default.temporaryDirectory,
            environment: ["COMPTOIR_MAX_BODY_SIZE": "1024"]
        )
        let router = Router(context: ComptoirRequestContext.self)
        ServiceHost.addStandardMiddleware(to: router, metrics: ServiceMetrics(), configuration: configuration)
        router.post("/items") { request, context in
            JSONResponse(try await request.decodeJSON(as: Item.self, context: context), status: .created)
        }
        router.get("/items") { request, _ in
            let page = try PageRequest(from: request)
            return JSONResponse(PagedList(items: [String](), total: 0, request: page))
        }
        router.get("/boom") { _, _ -> Response in throw SecretFailure() }
        router.get("/busy") { _, _ -> Response in throw ConnectionPoolTimeoutError.connectionRequestTimeout }
        var quiet = Logger(label: "test")
        quiet.logLevel = .critical
        return Application(router: router, logger: quiet)
    }

    func post(_ client: some TestClientProtocol, _ body: String, contentType: String = "application/json") async throws -> TestResponse {
        try await client.execute(uri: "/items", method: .post, headers: [.contentType: contentType], body: ByteBuffer(string: body))
    }

    @Test func validBodyIsAccepted() async throws {
        try await makeApplication().test(.router) { client in
            let response = try await post(client, #"{"name":"pen","quantity":2}"#)
            #expect(response.status == .created)
            #expect(response.object["quantity"] as? Int == 2)
        }
    }

    @Test func malformedJSONIs400Problem() async throws {
        try await makeApplication().test(.router) { client in
            let response = try await post(client, #"{"name": "pen", "#)
            #expect(response.status == .badRequest)
            #expect(response.headers[.contentType] == "application/problem+json")
            #expect(response.object["status"] as? Int == 400)
            #expect(response.object["title"] as? String == "Bad Request")
        }
    }

    @Test func invalidUTF8Is400() async throws {
        try await makeApplication().test(.router) { client in
            var buffer = ByteBuffer(string: #"{"name":""#)
            buffer.writeBytes([0xC3, 0x28, 0xFF])
            buffer.writeString(#"","quantity":1}"#)
            let response = try await client.execute(uri: "/items", method: .post, headers: [.contentType: "application/json"], body: buffer)
            #expect(response.status == .badRequest)
            #expect((response.object["detail"] as? String)?.contains("UTF-8") == true)
        }
    }

    @Test func wrongTypeIs422NamingTheField() async throws {
        try await makeApplication().test(.router) { client in
            let response = try await post(client, #"{"name":"pen","quantity":"two"}"#)
            #expect(response.status == .unprocessableContent)
            #expect(response.problemFields == ["quantity"])
        }
    }

    @Test func missingFieldIs422NamingTheField() async throws {
        try await makeApplication().test(.router) { client in
            let response = try await post(client, #"{"quantity":1}"#)
            #expect(response.status == .unprocessableContent)
            #expect(response.problemFields == ["name"])
        }
    }

    @Test func nonJSONContentTypeIs415() async throws {
        try await makeApplication().test(.router) { client in
            let response = try await post(client, "name=pen", contentType: "application/x-www-form-urlencoded")
            #expect(response.status == .unsupportedMediaType)
        }
    }

    @Test func bodyOverTheLimitIs413() async throws {
        try await makeApplication().test(.router) { client in
            let response = try await post(client, #"{"name":""# + String(repeating: "x", count: 4096) + #"","quantity":1}"#)
            #expect(response.status == .contentTooLarge)
            #expect(response.headers[.contentType] == "application/problem+json")
        }
    }

    @Test func unknownRouteIs404Problem() async throws {
        try await makeApplication().test(.router) { client in
            let response = try await client.execute(uri: "/nowhere", method: .get)
            #expect(response.status == .notFound)
            #expect(response.headers[.contentType] == "application/problem+json")
        }
    }

    @Test func unexpectedErrorIs500WithoutInternals() async throws {
        try await makeApplication().test(.router) { client in
            let response = try await client.execute(uri: "/boom", method: .get)
            #expect(response.status == .internalServerError)
            #expect(!response.text.contains("hunter2"))
            #expect(response.headers[.contentType] == "application/problem+json")
        }
    }

    /// Under overload the database pool times out: a 503 to try again, not a 500.
    @Test func anExhaustedDatabasePoolIs503WithRetryAfter() async throws {
        try await makeApplication().test(.router) { client in
            let response = try await client.execute(uri: "/busy", method: .get)
            #expect(response.status == .serviceUnavailable)
            #expect(response.headers[.retryAfter] == "1")
            #expect(response.headers[.contentType] == "application/problem+json")
        }
    }

    @Test func paginationIsValidated() async throws {
        try await makeApplication().test(.router) { client in
            let tooMany = try await client.execute(uri: "/items?per_page=101", method: .get)
            #expect(tooMany.status == .unprocessableContent)
            #expect(tooMany.problemFields == ["per_page"])
            let notANumber = try await client.execute(uri: "/items?page=abc", method: .get)
            #expect(notANumber.problemFields == ["page"])
            let fine = try await client.execute(uri: "/items?page=2&per_page=5", method: .get)
            #expect(fine.object["page"] as? Int == 2)
            #expect(fine.object["per_page"] as? Int == 5)
        }
    }

    @Test func requestIDIsPassedOnOrGenerated() async throws {
        try await makeApplication().test(.router) { client in
            let given = try await client.execute(uri: "/nowhere", method: .get, headers: [RequestIDMiddleware.headerName: "abc-123"])
            #expect(given.headers[RequestIDMiddleware.headerName] == "abc-123")
            let generated = try await client.execute(uri: "/nowhere", method: .get, headers: [RequestIDMiddleware.headerName: "bad id\u{7}"])
            let id = try #require(generated.headers[RequestIDMiddleware.headerName])
            #expect(id != "bad id\u{7}" && id.count == 36)
        }
    }
}
