import CoreMetrics
import Hummingbird
import Logging

/// Counts and times every request by route template and status, and writes one access-log line.
///
/// Sits inside ``RequestIDMiddleware`` (so the log line has the id) and outside
/// ``ProblemMiddleware`` (so errors are seen as the responses they became).
public struct ObservabilityMiddleware: RouterMiddleware {
    public typealias Context = ComptoirRequestContext
    let metrics: ServiceMetrics

    public init(metrics: ServiceMetrics) {
        self.metrics = metrics
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        let response = try await next(request, context)
        let elapsed = ContinuousClock.now - start
        // The template, never the raw path, keeps label cardinality bounded.
        let route = context.endpointPath ?? "unmatched"
        let dimensions = [("method", request.method.rawValue), ("route", route), ("status", String(response.status.code))]
        metrics.counter("http_requests_total", dimensions).increment()
        metrics.timer("http_request_duration_seconds", dimensions)
            .recordNanoseconds(elapsed.nanoseconds)
        let level: Logger.Level =
            response.status.code >= 500 ? .error : (request.uri.path.hasPrefix("/health") || request.uri.path == "/metrics" ? .debug : .info)
        context.logger.log(
            level: level,
            "request",
            metadata: [
                "method": .string(request.method.rawValue), "path": .string(request.uri.path), "route": .string(route),
                "status": .stringConvertible(response.status.code), "duration_ms": .stringConvertible(elapsed.milliseconds),
            ]
        )
        return response
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
