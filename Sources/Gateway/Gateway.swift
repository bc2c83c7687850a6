import AsyncHTTPClient
import ComptoirContracts
import ComptoirKit
import CoreMetrics
import Foundation
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import Logging
import NIOCore
import NIOHTTP1
import NIOSSL
import ServiceLifecycle

/// The only public entry of the platform: routes `/api/v1/…` to the services, checks tokens and
/// rate limits before proxying, adds request ids and trace context, breaks circuits, serves the
/// merged OpenAPI document and the storefront.
public struct Gateway: Sendable {
    let platform: PlatformResources
    let configuration: GatewayConfiguration
    let metrics: ServiceMetrics
    /// The gateway's tracing, reporting as `comptoir-gateway`.
    let telemetry: Telemetry
    let proxy: ReverseProxy
    let openAPI: OpenAPIMerger
    let limiter: any RateLimiter
    let websites: WebsiteResolver
    let overview: AccountOverview
    let audit: AuditAggregation
    let upstreams: [ServiceID: URL]
    let httpClient: HTTPClient
    let logger: Logger

    /// - Parameter upstreams: the services this deployment has, and where they listen.
    /// - Parameter local: those of them that run in this process, answered without an HTTP hop.
    /// - Parameter configuration: its settings, `GatewayConfiguration(environment: platform.configuration.environment)`
    ///   read before anything opens, so that a bad one stops the start at once.
    public init(
        platform: PlatformResources,
        configuration: GatewayConfiguration,
        upstreams: [ServiceID: URL],
        local: LocalServices = .none
    ) throws {
        var logger = platform.logger
        let metrics = ServiceMetrics(build: platform.configuration.build)
        let telemetry = try platform.adapters.telemetry(for: "gateway")
        self.metrics = metrics
        self.telemetry = telemetry
        metrics.startAtZero("gateway_rate_limited_total", [[("scope", "ip")], [("scope", "user")]])
        metrics.startAtZero(
            "gateway_upstream_errors_total",
            upstreams.keys.sorted { $0.rawValue < $1.rawValue }.flatMap { service in
                ReverseProxy.failureKinds.map { [("service", service.rawValue), ("kind", $0)] }
            }
        )
        logger[metadataKey: "component"] = "gateway"
        self.platform = platform
        self.configuration = configuration
        self.upstreams = upstreams
        self.logger = logger
        // A client of its own with a large keep-alive pool: a proxy hop without upstream
        // keep-alive loses most of its throughput (ARCHITECTURE.md).
        var clientConfiguration = HTTPClient.Configuration()
        clientConfiguration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: 64)
        clientConfiguration.timeout = .init(connect: .seconds(2), read: .seconds(60))
        clientConfiguration.decompression = .disabled
        // A proxy hands redirects to the client (a 307 to a presigned download among them).
        clientConfiguration.redirectConfiguration = .disallow
        // The proxy records its own client span (`<METHOD> <service>`): the client's own, from the
        // global tracer, would be a second span of the same call, and costs even when it is a no-op.
        clientConfiguration.tracing.tracer = nil
        self.httpClient = HTTPClient(eventLoopGroupProvider: .singleton, configuration: clientConfiguration)
        self.proxy = ReverseProxy(
            httpClient: httpClient,
            upstreams: upstreams,
            local: local,
            configuration: configuration,
            metrics: metrics,
            telemetry: telemetry
        )
        self.openAPI = OpenAPIMerger(httpClient: httpClient, upstreams: upstreams, logger: logger)
        self.limiter = platform.rateLimiter("gateway")
        self.websites = WebsiteResolver(httpClient: httpClient, websitesURL: upstreams[.websites], telemetry: telemetry)
        self.overview = AccountOverview(
            client: InternalClient(httpClient: httpClient, serviceURLs: upstreams, tokens: nil, telemetry: telemetry),
            services: Set(upstreams.keys)
        )
        self.audit = AuditAggregation(
            client: InternalClient(httpClient: httpClient, serviceURLs: upstreams, tokens: nil, telemetry: telemetry),
            services: upstreams.keys.sorted { $0.rawValue < $1.rawValue }
        )
    }

    /// The object store's origin when downloads are presigned URLs of it: pages may show its images.
    private var storeOrigins: [String] {
        platform.adapters.directDownloadOrigin.map { [$0] } ?? []
    }

    /// The gateway's router, exposed for tests.
    public func makeRouter() -> Router<ComptoirRequestContext> {
        let router = Router(context: ComptoirRequestContext.self)
        ServiceHost.addStandardMiddleware(
            to: router,
            metrics: metrics,
            telemetry: telemetry,
            routeLabel: Self.proxiedRoute,
            configuration: platform.configuration
        )
        router.add(middleware: SecurityHeadersMiddleware(tls: configuration.tlsCertificateFile != nil, imageOrigins: storeOrigins))
        if !configuration.corsOrigins.isEmpty { router.add(middleware: CORSPolicyMiddleware(origins: Set(configuration.corsOrigins))) }
        router.add(
            middleware: ClientRateLimitMiddleware(
                limiter: limiter,
                limit: configuration.ipRateLimit,
                trustedProxies: configuration.trustedProxies,
                metrics: metrics
            )
        )
        HealthRoutes.add(to: router, checks: upstreamChecks)
        ServiceHost.addMetricsRoute(to: router, metrics: metrics)
        let openAPI = self.openAPI
        router.get("/api/v1/openapi.json") { _, _ in JSONResponse.verbatim(await openAPI.document()) }
        router.get("/api/v1/account/overview", use: accountOverview)
        router.get("/api/v1/audit", use: auditTrail)
        for method in [HTTPRequest.Method.get, .head, .post, .put, .patch, .delete, .options] {
            router.on("/api/v1/**", method: method, use: proxyRequest)
        }
        WebApp.backOffice.add(to: router)
        WebApp.storefront.add(to: router)
        return router
    }

    /// The proxy's one template, `/api/v1/**`, named after the service it reaches, so that the
    /// gateway's request metrics and spans say which service a request was for.
    @Sendable static func proxiedRoute(_ request: Request, _ template: String) -> String {
        guard template == "/api/v1/**", let service = UpstreamTable.service(forAPIPath: String(request.uri.path.dropFirst("/api/v1".count))) else {
            return template
        }
        return "/api/v1/\(service.rawValue)/**"
    }

    @Sendable func proxyRequest(_ request: Request, context: ComptoirRequestContext) async throws -> Response {
        let apiPath = String(request.uri.path.dropFirst("/api/v1".count))
        guard let service = UpstreamTable.service(forAPIPath: apiPath) else {
            throw ProblemError(.notFound, "No API route matches \(request.uri.path).")
        }
        var context = context
        if request.headers[.authorization] != nil || !PublicRoutes.isPublic(request.method, path: apiPath) {
            try await authenticate(request, &context)
        }
        let clientIP = ClientRateLimitMiddleware.clientIP(request, context: context, trustedProxies: configuration.trustedProxies)
        let website = try await websites.resolve(request)
        return try await proxy.forward(request, to: service, path: apiPath, clientIP: clientIP, website: website, context: context)
    }

    @Sendable func accountOverview(_ request: Request, context: ComptoirRequestContext) async throws -> JSONResponse<AccountOverview.Response> {
        var context = context
        try await authenticate(request, &context)
        context.websiteId = try await websites.resolve(request)
        return JSONResponse(try await overview.overview(request, context: context))
    }

    @Sendable func auditTrail(_ request: Request, context: ComptoirRequestContext) async throws -> JSONResponse<PagedList<AuditRecordResponse>> {
        var context = context
        try await authenticate(request, &context)
        return JSONResponse(try await audit.list(request, context: context))
    }

    /// Verifies the bearer token (401 without a valid one) and applies the per-user rate limit.
    private func authenticate(_ request: Request, _ context: inout ComptoirRequestContext) async throws {
        guard let header = request.headers[.authorization], let token = AuthenticationMiddleware.bearerToken(header) else {
            throw ProblemError.unauthorized()
        }
        let principal = try await platform.verifier.verify(token)
        context.principal = principal
        if let user = principal.userId {
            context.logger[metadataKey: "user_id"] = .string(user.uuidString)
            if case .limited(let retryAfter) = await limiter.consume("user:\(user)", limit: configuration.userRateLimit) {
                metrics.counter("gateway_rate_limited_total", [("scope", "user")]).increment()
                throw ProblemError.tooManyRequests(retryAfter: retryAfter.secondsRoundedUp, "Too many requests for this account; slow down.")
            }
        }
    }

    /// Ready when every upstream says it is ready: `swift run comptoir` is usable once this answers 200.
    var upstreamChecks: [HealthCheck] {
        upstreams.map { service, url in
            HealthCheck(service.rawValue) { [httpClient] in
                let response = try await httpClient.execute(
                    HTTPClientRequest(url: url.appendingPathComponent("health/ready").absoluteString),
                    timeout: .seconds(2)
                )
                guard response.status == .ok else { throw UpstreamNotReady(status: Int(response.status.code)) }
            }
        }
    }

    /// The runnable gateway; TLS 1.3 only when a certificate and key are configured.
    public func application(
        host: String,
        port: Int,
        onServerRunning: @escaping @Sendable (any Channel) async -> Void = { _ in }
    ) throws
        -> some ApplicationProtocol
    {
        var server = HTTPServerBuilder.http1WithLingeringClose()
        if let certificate = configuration.tlsCertificateFile, let key = configuration.tlsKeyFile {
            var tls = TLSConfiguration.makeServerConfiguration(
                certificateChain: try NIOSSLCertificate.fromPEMFile(certificate).map { .certificate($0) },
                privateKey: .privateKey(try NIOSSLPrivateKey(file: key, format: .pem))
            )
            tls.minimumTLSVersion = .tlsv13
            server = try .tls(.http1WithLingeringClose(), tlsConfiguration: tls)
        }
        var app = Application(
            router: makeRouter(),
            server: server,
            configuration: .init(address: .hostname(host, port: port), serverName: nil),
            onServerRunning: onServerRunning,
            logger: logger
        )
        // The exporter first, so that it stops last and flushes the spans of the shutdown.
        if let exporter = telemetry.service { app.addServices(exporter) }
        app.addServices(HTTPClientCloser(client: httpClient), EventLoopLagProbe(metrics: metrics))
        return app
    }
}

struct UpstreamNotReady: Error, CustomStringConvertible {
    let status: Int
    var description: String { "answered \(status)" }
}

/// Shuts the gateway's HTTP client down after the server has drained.
struct HTTPClientCloser: Service {
    let client: HTTPClient

    func run() async throws {
        try? await gracefulShutdown()
        try await client.shutdown()
    }
}
