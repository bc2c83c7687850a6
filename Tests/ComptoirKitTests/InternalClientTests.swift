import AsyncHTTPClient
import ComptoirContracts
import ComptoirKit
import ComptoirTesting
import Crypto
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Testing

/// Internal calls carry the request id, a child `traceparent` and a verifiable service token,
/// and fail as problems when the other service is slow or away.
@Suite struct InternalClientTests {
    struct Echo: Codable, Sendable {
        var requestId: String?
        var traceparent: String?
        var roles: [String]
    }

    @Test func callsCarryRequestIDTraceAndServiceToken() async throws {
        let serviceKey = SigningKey(Curve25519.Signing.PrivateKey())
        let verifier = try await TokenVerifier(userKeys: [], serviceKey: serviceKey.publicJWK, jwksURL: nil, logger: Logger(label: "test"))
        let router = Router(context: ComptoirRequestContext.self)
        router.add(middleware: AuthenticationMiddleware(verifier: verifier))
        router.get("/echo") { request, context in
            let principal = try context.require(.service)
            return JSONResponse(
                Echo(
                    requestId: request.headers[RequestIDMiddleware.headerName],
                    traceparent: request.headers[TraceParent.headerName],
                    roles: principal.roles.map(\.rawValue)
                )
            )
        }
        router.get("/slow") { _, _ -> String in
            try await Task.sleep(for: .seconds(9))
            return "late"
        }
        try await Application(router: router).test(.live) { upstream in
            let client = InternalClient(
                httpClient: .shared,
                serviceURLs: [.baskets: URL(string: "http://127.0.0.1:\(upstream.port!)")!, .addresses: URL(string: "http://127.0.0.1:1")!],
                tokens: ServiceTokenIssuer(signer: await TokenSigner(key: serviceKey), service: .orders),
                timeout: .seconds(4)
            )
            let caller = Router(context: ComptoirRequestContext.self)
            ServiceHost.addStandardMiddleware(
                to: caller,
                metrics: ServiceMetrics(),
                configuration: try TestPlatform.configuration(dataDirectory: FileManager.default.temporaryDirectory)
            )
            caller.get("/call") { request, context in
                JSONResponse(try await client.get(.baskets, "/echo", as: Echo.self, identity: .service, context: context, request: request))
            }
            caller.get("/slow") { request, context in
                JSONResponse(try await client.get(.baskets, "/slow", as: String.self, identity: .service, context: context, request: request))
            }
            caller.get("/away") { request, context in
                JSONResponse(try await client.get(.addresses, "/x", as: String.self, identity: .service, context: context, request: request))
            }
            caller.get("/undeclared") { request, context in
                JSONResponse(try await client.get(.orders, "/x", as: String.self, identity: .service, context: context, request: request))
            }
            let incoming = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
            try await Application(router: caller).test(.router) { client in
                let response = try await client.execute(
                    uri: "/call",
                    method: .get,
                    headers: [RequestIDMiddleware.headerName: "req-77", TraceParent.headerName: incoming]
                )
                #expect(response.status == .ok)
                let echo = try WireJSON.makeDecoder().decode(Echo.self, from: Data(response.body.readableBytesView))
                #expect(echo.requestId == "req-77")
                let trace = try #require(echo.traceparent.flatMap(TraceParent.init))
                #expect(trace.traceID == "0af7651916cd43dd8448eb211c80319c" && trace.parentID != "b7ad6b7169203331")
                #expect(echo.roles == ["service"])
                #expect(try await client.execute(uri: "/slow", method: .get).status == .gatewayTimeout)
                #expect(try await client.execute(uri: "/away", method: .get).status == .badGateway)
                #expect(try await client.execute(uri: "/undeclared", method: .get).status == .internalServerError)
            }
        }
    }

    /// A service's client reaches only the services it declares (`ComptoirService.calls`), though the
    /// configuration names an address for every service.
    @Test func aServiceClientRefusesServicesItDoesNotDeclare() async throws {
        let directory = try TestPlatform.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let platform = try await TestPlatform.resources(dataDirectory: directory)
        let environment = try await ServiceEnvironment(id: .baskets, platform: platform, loadDemoData: false, calls: [.products])
        let router = Router(context: ComptoirRequestContext.self)
        ServiceHost.addStandardMiddleware(to: router, metrics: ServiceMetrics(), configuration: platform.configuration)
        router.get("/call/:service") { request, context in
            let service = try #require(context.parameters.get("service").flatMap(ServiceID.init(rawValue:)))
            return JSONResponse(
                try await environment.client.get(service, "/health/live", as: JSONValue.self, identity: .service, context: context, request: request)
            )
        }
        try await Application(router: router).test(.router) { client in
            #expect(platform.configuration.serviceURLs[.orders] != nil)
            let undeclared = try await client.execute(uri: "/call/orders", method: .get)
            #expect(undeclared.status == .internalServerError)
            #expect(String(buffer: undeclared.body).contains("not declared"))
            // Declared: the call is attempted (502 when nothing listens at the default address).
            #expect(try await client.execute(uri: "/call/products", method: .get).status != .internalServerError)
        }
        await environment.database.shutdown()
        await platform.shutdown()
    }
}
