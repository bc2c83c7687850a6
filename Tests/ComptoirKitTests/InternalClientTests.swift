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
                    requestId: request.headers[RequestIDMiddleware.headerName], traceparent: request.headers[TraceParent.headerName],
                    roles: principal.roles.map(\.rawValue)))
        }
        router.get("/slow") { _, _ -> String in
            try await Task.sleep(for: .seconds(9))
            return "late"
        }
        try await Application(router: router).test(.live) { upstream in
            let client = InternalClient(
                httpClient: .shared, serviceURLs: [.baskets: URL(string: "http://127.0.0.1:\(upstream.port!)")!],
                tokens: ServiceTokenIssuer(signer: await TokenSigner(key: serviceKey), service: .orders), timeout: .seconds(4))
            let caller = Router(context: ComptoirRequestContext.self)
            ServiceHost.addStandardMiddleware(
                to: caller, metrics: ServiceMetrics(), configuration: try TestPlatform.configuration(dataDirectory: FileManager.default.temporaryDirectory))
            caller.get("/call") { request, context in
                JSONResponse(try await client.get(.baskets, "/echo", as: Echo.self, identity: .service, context: context, request: request))
            }
            caller.get("/slow") { request, context in
                JSONResponse(try await client.get(.baskets, "/slow", as: String.self, identity: .service, context: context, request: request))
            }
            caller.get("/away") { request, context in
                JSONResponse(try await client.get(.addresses, "/x", as: String.self, identity: .service, context: context, request: request))
            }
            let incoming = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
            try await Application(router: caller).test(.router) { client in
                let response = try await client.execute(
                    uri: "/call", method: .get, headers: [RequestIDMiddleware.headerName: "req-77", TraceParent.headerName: incoming])
                #expect(response.status == .ok)
                let echo = try RequestDecoding.makeDecoder().decode(Echo.self, from: Data(response.body.readableBytesView))
                #expect(echo.requestId == "req-77")
                let trace = try #require(echo.traceparent.flatMap(TraceParent.init))
                #expect(trace.traceID == "0af7651916cd43dd8448eb211c80319c" && trace.parentID != "b7ad6b7169203331")
                #expect(echo.roles == ["service"])
                #expect(try await client.execute(uri: "/slow", method: .get).status == .gatewayTimeout)
                #expect(try await client.execute(uri: "/away", method: .get).status == .badGateway)
            }
        }
    }
}
