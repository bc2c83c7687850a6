import CoreMetrics
import Foundation
import Prometheus

/// The metrics of one running component (a service or the gateway), kept in its own registry so
/// that each `/metrics` shows its own numbers even when all run in one process.
///
/// Names follow Prometheus' conventions (base units in the name, `_total` counters) and
/// OpenTelemetry's HTTP conventions (`http_server_request_duration_seconds`). The exposition also
/// carries the process (CPU, memory, descriptors) and `comptoir_build_info`; the scrape
/// configuration adds the `service` label.
public struct ServiceMetrics: Sendable {
    public let registry: PrometheusCollectorRegistry
    public let factory: PrometheusMetricsFactory
    public let build: BuildInfo

    /// Latency buckets in seconds: fine below the 500 ms objective, which is a bucket edge so that
    /// the SLO's "faster than 500 ms" ratio is exact.
    public static let durationBuckets: [Duration] = [
        .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250),
        .milliseconds(500), .seconds(1), .milliseconds(2500), .seconds(5), .seconds(10),
    ]

    public init(build: BuildInfo = BuildInfo(version: "dev", revision: "unknown")) {
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = Self.durationBuckets
        self.registry = registry
        self.factory = factory
        self.build = build
    }

    public func counter(_ label: String, _ dimensions: [(String, String)] = []) -> CoreMetrics.Counter {
        CoreMetrics.Counter(label: label, dimensions: dimensions, factory: factory)
    }

    public func gauge(_ label: String, _ dimensions: [(String, String)] = []) -> CoreMetrics.Gauge {
        CoreMetrics.Gauge(label: label, dimensions: dimensions, factory: factory)
    }

    /// A value that goes up and down (requests in flight).
    public func meter(_ label: String, _ dimensions: [(String, String)] = []) -> CoreMetrics.Meter {
        CoreMetrics.Meter(label: label, dimensions: dimensions, factory: factory)
    }

    public func timer(_ label: String, _ dimensions: [(String, String)] = []) -> CoreMetrics.Timer {
        CoreMetrics.Timer(label: label, dimensions: dimensions, factory: factory)
    }

    /// Creates a counter series at 0 before anything counts, for the series whose label values
    /// are known up front: a series that appears at its first increment has no 0 for `rate` and
    /// `increase` to start from (the first failure would go unseen), and dashboards and alerts
    /// would find no such metric before it.
    public func startAtZero(_ label: String, _ dimensions: [[(String, String)]] = [[]]) {
        for set in dimensions { _ = counter(label, set) }
    }

    /// The Prometheus text exposition of every metric, the process's and the build's.
    public func exposition() -> [UInt8] {
        var buffer: [UInt8] = []
        registry.emit(into: &buffer)
        buffer.append(contentsOf: ProcessMetrics.sample().exposition.utf8)
        buffer.append(contentsOf: build.exposition.utf8)
        return buffer
    }
}

/// What a build is, for `comptoir_build_info`.
public struct BuildInfo: Sendable, Equatable {
    public var version: String
    public var revision: String

    public init(version: String, revision: String) {
        self.version = version
        self.revision = revision
    }

    var exposition: String {
        let escape = { (value: String) in
            value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
                .replacingOccurrences(of: "\n", with: "\\n")
        }
        return """
            # HELP comptoir_build_info The running build; always 1.
            # TYPE comptoir_build_info gauge
            comptoir_build_info{version="\(escape(version))",revision="\(escape(revision))"} 1

            """
    }
}
