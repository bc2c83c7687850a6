import AsyncHTTPClient
import ComptoirContracts
import ComptoirKit
import ComptoirTesting
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import NIOHTTP1
import Testing

/// Values from requests, upstream answers and events that used to reach a trapping operation in
/// the kit: each is now a 4xx problem (or a plain value), and the process goes on answering.
@Suite struct RequestValueLimitsTests {
    struct Appointment: Codable, Sendable {
        var at: Date
    }

    /// A router with the kit's standard middleware, as every service has.
    func routerWithStandardMiddleware() throws -> Router<ComptoirRequestContext> {
        let router = Router(context: ComptoirRequestContext.self)
        let configuration = try TestPlatform.configuration(dataDirectory: FileManager.default.temporaryDirectory)
        ServiceHost.addStandardMiddleware(to: router, metrics: ServiceMetrics(), configuration: configuration)
        return router
    }

    func makeApplication() throws -> some ApplicationProtocol {
        let router = try routerWithStandardMiddleware()
        router.post("/appointments") { request, context in
            JSONResponse(try await request.decodeJSON(as: Appointment.self, context: context), status: .created)
        }
        var quiet = Logger(label: "test")
        quiet.logLevel = .critical
        return Application(router: router, logger: quiet)
    }

    func post(_ client: some TestClientProtocol, at value: String) async throws -> TestResponse {
        try await client.execute(
            uri: "/appointments",
            method: .post,
            headers: [.contentType: "application/json"],
            body: ByteBuffer(string: #"{"at":"\#(value)"}"#)
        )
    }

    @Test func dateTimesOutsideRFC3339Are422NamingTheField() async throws {
        try await makeApplication().test(.router) { client in
            for bad in [
                "2024-01-01T25:00:00Z", "2023-02-29T10:00:00Z", "2024-04-31T10:00:00Z", "2024-01-01T10:00:60Z", "2024-1-1T0:0:0Z",
                "2024-01-01T10:00:00Z and more", "0000-01-01T00:00:00Z", "99999-01-01T00:00:00Z", "2024-01-01T10:00:00+24:00",
                "2024-01-01T10:00:00.1234567890Z", "2024-01-01T10:00:00", "2024-01-01 10:00:00Z",
            ] {
                let response = try await post(client, at: bad)
                #expect(response.status == .unprocessableContent, "\(bad)")
                #expect(response.problemFields == ["at"], "\(bad)")
            }
            for (good, seconds) in [
                ("2024-02-29T10:00:00Z", 1_709_200_800.0), ("2024-01-01t10:00:00.5+05:30", 1_704_083_400.5),
                ("9999-12-31T23:59:59-00:00", 253_402_300_799.0),
            ] {
                let response = try await post(client, at: good)
                #expect(response.status == .created, "\(good)")
                let echoed = try #require((response.object["at"] as? String).flatMap(RFC3339.date(from:)))
                #expect(abs(echoed.timeIntervalSince1970 - seconds) < 0.001, "\(good)")
            }
        }
    }

    /// A service's 4xx body is only JSON: its `status` may be any number, which once went
    /// straight into `HTTPResponse.Status(code:)` and its precondition.
    @Test func anUpstreamProblemWithAnImpossibleStatusKeepsTheAnsweredOne() async throws {
        let upstream = Router()
        upstream.get("/odd/:status") { _, context -> Response in
            let claimed = context.parameters.get("status") ?? "0"
            let body = #"{"type":"about:blank","title":"Odd","status":\#(claimed),"detail":"made up"}"#
            return Response(status: .notFound, headers: [.contentType: Problem.mediaType], body: .init(byteBuffer: ByteBuffer(string: body)))
        }
        try await Application(router: upstream).test(.live) { service in
            let client = InternalClient(httpClient: .shared, serviceURLs: [.baskets: URL(string: "http://127.0.0.1:\(service.port!)")!], tokens: nil)
            let caller = try routerWithStandardMiddleware()
            caller.get("/call/:status") { request, context in
                let path = "/odd/" + (context.parameters.get("status") ?? "0")
                let identity = InternalClient.Identity.user(Principal(userId: UUID(), roles: [.customer], token: "t"))
                return JSONResponse(try await client.get(.baskets, path, as: String.self, identity: identity, context: context, request: request))
            }
            try await Application(router: caller).test(.router) { client in
                for claimed in ["1000", "-5", "9223372036854775807", "200"] {
                    let response = try await client.execute(uri: "/call/\(claimed)", method: .get)
                    #expect(response.status == .notFound, "status \(claimed)")
                    #expect(response.object["status"] as? Int == 404 && response.object["detail"] as? String == "made up")
                }
            }
        }
    }

    /// An incoming `traceparent` in fullwidth digits passed `Character.isHexDigit` and travelled on.
    @Test func aTraceparentOfNonASCIIDigitsIsReplaced() async throws {
        let upstream = Router()
        upstream.get("/echo") { request, _ in request.headers[TraceParent.headerName] ?? "" }
        try await Application(router: upstream).test(.live) { service in
            let client = InternalClient(httpClient: .shared, serviceURLs: [.baskets: URL(string: "http://127.0.0.1:\(service.port!)")!], tokens: nil)
            let caller = Router(context: ComptoirRequestContext.self)
            caller.get("/call") { request, context in
                let principal = Principal(userId: UUID(), roles: [.customer], token: "t")
                let (_, body) = try await client.send(.GET, .baskets, "/echo", identity: .user(principal), context: context, request: request)
                return String(decoding: body, as: UTF8.self)
            }
            let fullwidth = String(repeating: "\u{FF11}", count: 32)
            let incoming = "00-\(fullwidth)-b7ad6b7169203331-01"
            #expect(TraceParent(incoming) == nil)
            try await Application(router: caller).test(.router) { client in
                let response = try await client.execute(uri: "/call", method: .get, headers: [TraceParent.headerName: incoming])
                let forwarded = try #require(TraceParent(response.text))
                #expect(forwarded.traceID.utf8.allSatisfy { $0 < 0x80 } && forwarded.traceID != fullwidth)
            }
        }
    }

    /// Amounts come from events (an order's total); `abs(Int.min)` trapped.
    @Test func moneyFormatsEveryAmount() {
        #expect(Money(amount: .min, currency: .eur).formatted == "-92233720368547758.08 EUR")
        #expect(Money(amount: .max, currency: .eur).formatted == "92233720368547758.07 EUR")
        #expect(Money(amount: -1999, currency: .eur).formatted == "-19.99 EUR")
        #expect(Money(amount: 5, currency: .eur).formatted == "0.05 EUR")
        #expect(Money(amount: .min, currency: CurrencyCode("JPY")!).formatted == "-9223372036854775808 JPY")
    }

    @Test func durationsSaturateInsteadOfTrapping() {
        #expect(Duration.seconds(Int64.max).nanoseconds == .max)
        #expect(Duration.seconds(Int64.min).nanoseconds == .min)
        #expect(Duration(secondsComponent: 9_223_372_036, attosecondsComponent: 999_999_999_999_999_999).nanoseconds == .max)
        #expect(Duration.milliseconds(1500).nanoseconds == 1_500_000_000)
        #expect(Duration(secondsComponent: .max, attosecondsComponent: 1).secondsRoundedUp == .max)
        #expect(Duration.milliseconds(1500).secondsRoundedUp == 2)
    }

    /// A limit made in code with any numbers: its tokens as an `Int` and its wait stay finite.
    @Test func rateLimitsOfAnySizeDecideWithoutTrapping() async {
        let limiter = TokenBucketLimiter()
        let huge = RateLimit(capacity: .max, period: .seconds(60))
        #expect(await limiter.consume("a", limit: huge) == .allowed(remaining: RateLimit.maximumCapacity - 1))
        let slow = RateLimit(capacity: 1, period: .seconds(Int64.max))
        #expect(await limiter.consume("b", limit: slow) == .allowed(remaining: 0))
        guard case .limited(let wait) = await limiter.consume("b", limit: slow) else {
            Issue.record("the second request of a one-request limit was allowed")
            return
        }
        #expect(wait > .seconds(1_000_000) && wait.secondsRoundedUp > 0)
        #expect(await limiter.consume("c", limit: RateLimit(capacity: 0, period: .zero)) == .allowed(remaining: 0))
    }
}
