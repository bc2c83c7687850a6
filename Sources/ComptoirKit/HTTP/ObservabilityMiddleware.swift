import CoreMetrics
import Hummingbird
import Logging
import Tracing

/// Traces, counts and times every request by route template and status, and writes one access-log line.
///
/// Sits inside ``RequestIDMiddleware`` (so the log line has the id) and outside
/// ``ProblemMiddleware`` (so errors are seen as the responses they became). The server span
/// continues the caller's `traceparent`, and is current while the request is handled, so that
/// the spans of its database transactions, internal calls and outbox rows are its children.
public struct ObservabilityMiddleware: RouterMiddleware {
    public typealias Context = ComptoirRequestContext
    let metrics: ServiceMetrics
    let telemetry: Telemetry
    let inFlight: Meter
    let routeLabel: (@Sendable (Request, String) -> String)?

    /// - Parameter routeLabel: refines a matched template for the labels and the span name (the
    ///   gateway's `/api/v1/**` becomes `/api/v1/<service>/**`).
    public init(metrics: ServiceMetrics, telemetry: Telemetry = .off, routeLabel: (@Sendable (Request, String) -> String)? = nil) {
        self.metrics = metrics
        self.telemetry = telemetry
        self.inFlight = metrics.meter("http_server_active_requests")
        self.routeLabel = routeLabel
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        inFlight.increment()
        defer { inFlight.decrement() }
        let method = request.method.rawValue
        // Probes and scrapes are counted but not traced: they would be most of the traces.
        let quiet = request.uri.path.hasPrefix("/health") || request.uri.path == "/metrics"
        return try await (quiet ? Telemetry.off : telemetry).withSpan(
            method,
            kind: .server,
            parent: telemetry.context(traceparent: request.headers[TraceParent.headerName]) ?? .topLevel,
            attributes: ["http.request.method": .string(method), "url.path": .string(request.uri.path)]
        ) { span in
            let response = try await next(request, context)
            let elapsed = ContinuousClock.now - start
            // The template (known once the router has matched), never the raw path, keeps label cardinality bounded.
            let template = context.endpointPath ?? "unmatched"
            let route = routeLabel?(request, template) ?? template
            let status = response.status.code
            if let span {
                span.rename("\(method) \(route)")
                span.set(["http.route": .string(route)])
                span.record(status: status)
            }
            metrics.timer("http_server_request_duration_seconds", [("method", method), ("route", route), ("status", String(status))])
                .recordNanoseconds(elapsed.nanoseconds)
            // Inside the span, so that the access log line carries its trace_id.
            context.logger.log(
                level: status >= 500 ? .error : (quiet ? .debug : .info),
                "request",
                metadata: [
                    "method": .string(method), "path": .string(request.uri.path), "route": .string(route),
                    "status": .stringConvertible(status), "duration_ms": .stringConvertible(elapsed.milliseconds),
                ]
            )
            return response
        }
    }
}

extension Duration {
    /// Whole nanoseconds, saturating at `Int64.min` and `Int64.max` (about 292 years either way)
    /// instead of trapping, so that a timeout or a wait of any size can be handed to NIO.
    public var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        let (scaled, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        guard !overflow else { return seconds < 0 ? .min : .max }
        let (sum, sumOverflow) = scaled.addingReportingOverflow(attoseconds / 1_000_000_000)
        return sumOverflow ? (scaled < 0 ? .min : .max) : sum
    }

    /// Milliseconds with a fraction, for logs.
    public var milliseconds: Double { Double(nanoseconds) / 1_000_000 }

    /// Whole seconds rounded up, for `Retry-After`; saturating at `Int.max`.
    public var secondsRoundedUp: Int {
        let (seconds, attoseconds) = components
        let (rounded, overflow) = Int(seconds).addingReportingOverflow(attoseconds > 0 ? 1 : 0)
        return overflow ? .max : rounded
    }
}
