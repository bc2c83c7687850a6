import ComptoirKit
import Foundation

/// Traces over OTLP/HTTP (`COMPTOIR_OTLP_ENDPOINT`, else OpenTelemetry's own
/// `OTEL_EXPORTER_OTLP_ENDPOINT`): the base URL, spans going to `<endpoint>/v1/traces`.
/// `COMPTOIR_TRACE_SAMPLING` is the ratio of new traces kept (0 to 1, default 1; a caller's
/// sampled flag is followed), `COMPTOIR_TRACE_RESOURCE_ATTRIBUTES` adds `key=value,…` to every
/// component's resource (`deployment.environment.name=prod`, say).
public struct TracingSettings: Sendable {
    /// Where the spans are posted: `<endpoint>/v1/traces`.
    public var tracesURL: URL
    public var samplingRatio: Double
    public var resourceAttributes: [String: String]

    /// `nil` when no endpoint is set: tracing is off and costs nothing.
    public init?(environment env: EnvironmentReader) throws {
        guard try !env.bool("OTEL_SDK_DISABLED", default: false) else { return nil }
        if let ours = env.string("COMPTOIR_OTLP_ENDPOINT"), let theirs = env.string("OTEL_EXPORTER_OTLP_ENDPOINT"), ours != theirs {
            throw ConfigurationError("COMPTOIR_OTLP_ENDPOINT", "and OTEL_EXPORTER_OTLP_ENDPOINT name different collectors; set one of them")
        }
        let variable = env.string("COMPTOIR_OTLP_ENDPOINT") != nil ? "COMPTOIR_OTLP_ENDPOINT" : "OTEL_EXPORTER_OTLP_ENDPOINT"
        guard let endpoint = try env.url(variable, schemes: ["http", "https"]) else { return nil }
        guard endpoint.query == nil, endpoint.user == nil else {
            throw ConfigurationError(variable, "must be the collector's base URL, such as http://otel-collector:4318, with no query or credentials")
        }
        let base = endpoint.absoluteString.hasSuffix("/") ? String(endpoint.absoluteString.dropLast()) : endpoint.absoluteString
        guard let tracesURL = URL(string: base + "/v1/traces") else {
            throw ConfigurationError(variable, "must be the collector's base URL, such as http://otel-collector:4318")
        }
        self.tracesURL = tracesURL
        let rawRatio = env.string("COMPTOIR_TRACE_SAMPLING") ?? "1"
        guard let ratio = Double(rawRatio), ratio.isFinite, (0...1).contains(ratio) else {
            throw ConfigurationError(
                "COMPTOIR_TRACE_SAMPLING",
                "must be a ratio between 0 and 1, such as 0.05 for 5 % of new traces (got \"\(rawRatio)\")"
            )
        }
        self.samplingRatio = ratio
        var attributes: [String: String] = [:]
        for entry in env.list("COMPTOIR_TRACE_RESOURCE_ATTRIBUTES") {
            let parts = entry.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty, parts[0] != "service.name" else {
                throw ConfigurationError(
                    "COMPTOIR_TRACE_RESOURCE_ATTRIBUTES",
                    "must look like deployment.environment.name=prod,service.namespace=shop; service.name is always comptoir-<component> (got \"\(entry)\")"
                )
            }
            attributes[parts[0]] = parts[1]
        }
        self.resourceAttributes = attributes
        // swift-otel applies OTEL_SERVICE_NAME to every tracer: in one process, every component would
        // report as the same service and a trace could no longer say which did what.
        if env.string("OTEL_SERVICE_NAME") != nil {
            throw ConfigurationError("OTEL_SERVICE_NAME", "is not used: each component reports as comptoir-<component>; unset it")
        }
    }
}
