import AsyncHTTPClient
import ComptoirContracts
import ComptoirKit
import CoreMetrics
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import NIOHTTP1
import Tracing

/// Forwards an API request to its service and streams the answer back, both bodies streamed.
///
/// The upstream's own answers pass through unchanged, errors included. When the upstream cannot
/// be reached the answer is 502, when its circuit is open 503, and when it does not send its
/// response head within the timeout 504 — all as problem+json. A body announced larger than
/// any route takes is a 413 before anything is sent, and a client whose body stops arriving is
/// a 408: neither is the upstream's fault, so neither counts against its circuit.
struct ReverseProxy: Sendable {
    let httpClient: HTTPClient
    let upstreams: [ServiceID: URL]
    /// The upstreams in this process, answered without an HTTP hop.
    let local: LocalServices
    let breakers: [ServiceID: CircuitBreaker]
    let configuration: GatewayConfiguration
    let metrics: ServiceMetrics
    let telemetry: Telemetry

    init(
        httpClient: HTTPClient,
        upstreams: [ServiceID: URL],
        local: LocalServices = .none,
        configuration: GatewayConfiguration,
        metrics: ServiceMetrics,
        telemetry: Telemetry = .off
    ) {
        self.telemetry = telemetry
        self.httpClient = httpClient
        self.upstreams = upstreams
        self.local = local
        self.breakers = upstreams.mapValues { _ in
            CircuitBreaker(failureThreshold: configuration.circuitFailureThreshold, cooldown: configuration.circuitCooldown)
        }
        self.configuration = configuration
        self.metrics = metrics
    }

    /// The `kind` of `gateway_upstream_errors_total`.
    static let failureKinds = ["unreachable", "timeout", "status_5xx", "circuit_open"]

    /// Headers that describe one connection, not the message; never forwarded (RFC 9110 §7.6.1).
    static let hopByHop: Set<String> = [
        "connection", "keep-alive", "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade", "proxy-authenticate",
        "proxy-authorization", "host",
    ]

    /// Forwards in a `<METHOD> <service>` client span, and records every outcome in
    /// `gateway_upstream_request_duration_seconds{service,status}` with the status the client got:
    /// a service that is down shows as its 502s and 503s there, the SLI of its availability.
    func forward(
        _ request: Request,
        to service: ServiceID,
        path: String,
        clientIP: String,
        website: UUID?,
        context: ComptoirRequestContext
    ) async throws -> Response {
        let started = ContinuousClock.now
        let method = request.method.rawValue
        return try await telemetry.withHTTPClientSpan(method, peer: service.rawValue, path: path) { span in
            let status: Int
            let outcome: Result<Response, any Error>
            do {
                let response = try await forwardUntraced(request, to: service, path: path, clientIP: clientIP, website: website, context: context)
                (status, outcome) = (response.status.code, .success(response))
            } catch let problem as ProblemError {
                (status, outcome) = (problem.problem.status, .failure(problem))
            }
            span?.record(status: status)
            metrics.timer("gateway_upstream_request_duration_seconds", [("service", service.rawValue), ("status", String(status))])
                .recordNanoseconds((ContinuousClock.now - started).nanoseconds)
            return try outcome.get()
        }
    }

    /// The proxying itself; ``forward(_:to:path:clientIP:website:context:)`` observes it.
    private func forwardUntraced(
        _ request: Request,
        to service: ServiceID,
        path: String,
        clientIP: String,
        website: UUID?,
        context: ComptoirRequestContext
    ) async throws -> Response {
        if let local = local[service] {
            return try await respondInProcess(
                request,
                by: local,
                service: service,
                path: path,
                clientIP: clientIP,
                website: website,
                context: context
            )
        }
        guard let base = upstreams[service], let breaker = breakers[service] else {
            throw ProblemError(.notFound, "The \(service) service is not part of this deployment.")
        }
        if case .refused(let retryAfter) = breaker.permit() {
            metrics.counter("gateway_upstream_errors_total", [("service", service.rawValue), ("kind", "circuit_open")]).increment()
            throw ProblemError(
                .serviceUnavailable,
                "The \(service) service is failing; try again shortly.",
                headers: [.retryAfter: String(max(1, retryAfter.secondsRoundedUp))]
            )
        }
        let length = try Self.announcedLength(request, limit: configuration.maxRequestBodySize)
        var outgoing = HTTPClientRequest(url: base.absoluteString.trimmingSuffixSlash() + path + (request.uri.query.map { "?" + $0 } ?? ""))
        outgoing.method = HTTPMethod(rawValue: request.method.rawValue)
        for field in forwardedHeaders(request, clientIP: clientIP, website: website, context: context) {
            outgoing.headers.add(name: field.name.rawName, value: field.value)
        }
        let upload = Self.trackedUpload(request, length: length)
        if let upload { outgoing.body = .stream(upload.body, length: length.map { .known(Int64($0)) } ?? .unknown) }
        let upstreamResponse: HTTPClientResponse
        do {
            upstreamResponse = try await httpClient.execute(
                outgoing,
                timeout: .nanoseconds(configuration.timeout(for: service).nanoseconds),
                logger: context.logger
            )
        } catch let error as HTTPClientError where error == .deadlineExceeded || error == .readTimeout {
            if let upload, !upload.completion.isDone { throw await Self.abandon(upload.completion, context: context) }
            record(service, breaker: breaker, failure: "timeout", context: context, error: error)
            throw ProblemError(.gatewayTimeout, "The \(service) service did not answer in time.")
        } catch let error where error is CancellationError || (error as? HTTPClientError) == .cancelled {
            // The request was abandoned (the client went away, or shutdown): the upstream is not to blame.
            throw CancellationError()
        } catch {
            // A client that stops sending before its `Content-Length` is no sign of a failing
            // upstream: counted against the circuit, a few such clients would close it for everyone.
            if upload?.completion.hasFailed == true || (error as? HTTPClientError) == .bodyLengthMismatch {
                throw ProblemError.badRequest("The request body ended before the length it announced.")
            }
            record(service, breaker: breaker, failure: "unreachable", context: context, error: error)
            throw ProblemError(.badGateway, "The \(service) service cannot be reached.")
        }
        // An upstream that answered early is still being sent the rest of the body: let that finish
        // before the server takes the connection back (the upstream drains what it did not read).
        if let upload, !(await upload.completion.wait(timeout: configuration.timeout(for: service))) {
            // The upstream has answered; what is missing is the client's body.
            throw await Self.abandon(upload.completion, context: context)
        }
        if upstreamResponse.status.code >= 500 {
            record(service, breaker: breaker, failure: "status_5xx", context: context, error: nil)
        } else {
            breaker.recordSuccess()
        }
        var headers = HTTPFields()
        for header in upstreamResponse.headers where !Self.hopByHop.contains(header.name.lowercased()) {
            if let name = HTTPField.Name(header.name) { headers.append(HTTPField(name: name, value: header.value)) }
        }
        return Response(
            status: .init(code: Int(upstreamResponse.status.code), reasonPhrase: upstreamResponse.status.reasonPhrase),
            headers: headers,
            body: ResponseBody(asyncSequence: upstreamResponse.body)
        )
    }

    /// The request's headers as the upstream gets them: the hop-by-hop ones dropped, the request id,
    /// the store (only the gateway says which store a request is for: a client's claim is dropped),
    /// the trace context and the client's address set.
    private func forwardedHeaders(_ request: Request, clientIP: String, website: UUID?, context: ComptoirRequestContext) -> HTTPFields {
        var headers = HTTPFields()
        headers.reserveCapacity(request.headers.count + 5)
        for field in request.headers where !Self.hopByHop.contains(field.name.canonicalName) {
            switch field.name {
            case RequestIDMiddleware.headerName, .comptoirWebsiteId, TraceParent.headerName, .xForwardedFor, .xForwardedHost: continue
            default: headers.append(field)
            }
        }
        headers[RequestIDMiddleware.headerName] = context.requestID
        if let website { headers[.comptoirWebsiteId] = website.uuidString }
        // The client span's context when tracing, else the caller's trace carried on (or a new one).
        headers[TraceParent.headerName] =
            telemetry.traceparent() ?? (request.headers[TraceParent.headerName].flatMap(TraceParent.init)?.child() ?? .random()).header
        headers[.xForwardedFor] = clientIP
        if let host = request.head.authority { headers[.xForwardedHost] = host }
        return headers
    }

    /// Hands the request to a service of this process: its router answers, within the service's
    /// timeout (504 after it, the handler cancelled), and no circuit is kept: there is no
    /// connection to fail.
    private func respondInProcess(
        _ request: Request,
        by local: LocalServices.Local,
        service: ServiceID,
        path: String,
        clientIP: String,
        website: UUID?,
        context: ComptoirRequestContext
    ) async throws -> Response {
        let length = try Self.announcedLength(request, limit: configuration.maxRequestBodySize)
        var head = request.head
        head.path = path + (request.uri.query.map { "?" + $0 } ?? "")
        head.headerFields = forwardedHeaders(request, clientIP: clientIP, website: website, context: context)
        // As on the HTTP path: a body that stops arriving is the client's 408, not the service's 504.
        let upload = Self.trackedUpload(request, length: length)
        let forwarded = Request(head: head, body: upload.map { RequestBody(asyncSequence: $0.body) } ?? request.body)
        let serviceContext = ComptoirRequestContext(source: .init(channel: context.channel, logger: local.logger))
        let timeout = configuration.timeout(for: service)
        return try await withThrowingTaskGroup(of: Response?.self) { group in
            group.addTask { try await local.responder.respond(to: forwarded, context: serviceContext) }
            group.addTask {
                try await Task.sleep(for: timeout)
                return nil
            }
            defer { group.cancelAll() }
            guard let response = try await group.next() ?? nil else {
                if let upload, !upload.completion.isDone { throw await Self.abandon(upload.completion, context: context) }
                metrics.counter("gateway_upstream_errors_total", [("service", service.rawValue), ("kind", "timeout")]).increment()
                context.logger.warning("upstream failure", metadata: ["upstream": .string(service.rawValue), "reason": "timeout"])
                throw ProblemError(.gatewayTimeout, "The \(service) service did not answer in time.")
            }
            return response
        }
    }

    /// The client's body, tracked so that the proxy knows whether it was read to its end; `nil` when
    /// the request has none.
    static func trackedUpload(_ request: Request, length: Int?) -> (body: TrackedBody<RequestBody>, completion: TrackedBody<RequestBody>.Completion)?
    {
        guard request.method != .get, request.method != .head, length != 0 else { return nil }
        let completion = TrackedBody<RequestBody>.Completion()
        return (TrackedBody(base: request.body, completion: completion), completion)
    }

    /// Gives up on a client body that is not arriving and returns the 408 to answer.
    ///
    /// The HTTP client may still be waiting for the body's next bytes, and the server reads what is
    /// left of a body before it takes the next request: two readers of one body trap the process.
    /// Shutting the connection's input ends the HTTP client's read, and the server then finds the
    /// body's end instead of a second reader; the 408 is the connection's last answer.
    static func abandon(_ upload: TrackedBody<RequestBody>.Completion, context: ComptoirRequestContext) async -> ProblemError {
        context.channel.close(mode: .input, promise: nil)
        _ = await upload.wait(timeout: .seconds(2))
        return ProblemError(.requestTimeout, "The request body did not arrive in time.", headers: [.connection: "close"])
    }

    /// The request's `Content-Length`, if it has one: a 400 when it is not a length, a 413 above `limit`.
    static func announcedLength(_ request: Request, limit: Int) throws -> Int? {
        guard let raw = request.headers[.contentLength] else { return nil }
        let digits = !raw.isEmpty && raw.utf8.allSatisfy { (0x30...0x39).contains($0) }
        guard digits else { throw ProblemError.badRequest("Content-Length must be a number of bytes.") }
        guard let length = Int(raw), length <= limit else {
            throw ProblemError(.contentTooLarge, "The request body is larger than any route accepts (\(limit) bytes).")
        }
        return length
    }

    private func record(_ service: ServiceID, breaker: CircuitBreaker, failure kind: String, context: ComptoirRequestContext, error: (any Error)?) {
        metrics.counter("gateway_upstream_errors_total", [("service", service.rawValue), ("kind", kind)]).increment()
        if breaker.recordFailure() {
            context.logger.error("circuit opened", metadata: ["upstream": .string(service.rawValue), "reason": .string(kind)])
        } else {
            context.logger.warning(
                "upstream failure",
                metadata: ["upstream": .string(service.rawValue), "reason": .string(kind), "error": .string(error.map { "\($0)" } ?? "")]
            )
        }
    }
}

extension String {
    func trimmingSuffixSlash() -> String { hasSuffix("/") ? String(dropLast()) : self }
}
