import ComptoirKit
import Foundation
import Logging
import OTel

/// Tracing through swift-otel: one tracer per component, each exporting its spans over
/// OTLP/HTTP (protobuf) under `service.name` `comptoir-<component>`.
enum OTLPTelemetry {
    static func make(component: String, settings: TracingSettings, logger: Logger) throws -> Telemetry {
        var configuration = OTel.Configuration.default
        configuration.serviceName = "comptoir-\(component)"
        configuration.resourceAttributes = settings.resourceAttributes
        configuration.diagnosticLogger = .custom(logger)
        configuration.diagnosticLogLevel = .warning
        configuration.propagators = [.traceContext]
        configuration.metrics.enabled = false
        configuration.logs.enabled = false
        configuration.traces.exporter = .otlp
        configuration.traces.otlpExporter.protocol = .httpProtobuf
        configuration.traces.otlpExporter.endpoint = settings.tracesURL.absoluteString
        // The gateway decides for a new trace; every service follows the caller's sampled flag.
        configuration.traces.sampler = .parentBasedTraceIDRatio(ratio: settings.samplingRatio) ?? .parentBasedAlwaysOn
        let backend = try OTel.makeTracingBackend(configuration: configuration)
        return Telemetry(tracer: backend.factory, service: backend.service)
    }

    /// Puts the current span's `trace_id` and `span_id` on every log line.
    static let loggingMetadataProvider = OTel.makeLoggingMetadataProvider()
}
