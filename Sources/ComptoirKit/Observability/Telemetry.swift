import ComptoirContracts
import Foundation
import Instrumentation
import ServiceContextModule
import ServiceLifecycle
import Tracing

/// The tracing of one component (a service or the gateway): its own tracer, so that each reports
/// under its own `service.name` even when all run in one process, or nothing at all.
///
/// Off (``off``), every helper calls its body directly: no span, no context, no allocation.
/// The backend (OTLP/HTTP through swift-otel) is chosen by the platform's adapters; the kit only
/// speaks swift-distributed-tracing.
public struct Telemetry: Sendable {
    /// `nil` when tracing is off.
    public let tracer: (any Tracer)?
    /// What exports the spans: run before the component's server and stopped after it, so the
    /// last spans are flushed.
    public let service: (any Service)?

    public init(tracer: any Tracer, service: any Service) {
        self.tracer = tracer
        self.service = service
    }

    private init() {
        self.tracer = nil
        self.service = nil
    }

    /// No tracing.
    public static let off = Telemetry()

    public var isOn: Bool { tracer != nil }

    /// Runs `body` in a new span, a child of `parent` (or of the task's current span), with `links`.
    /// The span is ended when `body` returns, marked as an error when it throws.
    public func withSpan<T>(
        _ name: String,
        kind: SpanKind = .internal,
        parent: ServiceContext? = nil,
        links: [ServiceContext] = [],
        attributes: SpanAttributes = [:],
        isolation: isolated (any Actor)? = #isolation,
        _ body: (ActiveSpan?) async throws -> T
    ) async throws -> T {
        guard let active = startSpan(name, kind: kind, parent: parent, links: links, attributes: attributes) else { return try await body(nil) }
        let span = active.span
        defer { span.end() }
        do {
            return try await ServiceContext.$current.withValue(span.context) { try await body(active) }
        } catch {
            span.recordError(error)
            span.setStatus(.init(code: .error))
            throw error
        }
    }

    /// Runs `body` in the `<METHOD> <peer>` client span of an HTTP call to another component (the
    /// gateway's proxy and website lookup, a service's internal calls); the callee continues it
    /// when the request carries ``traceparent(of:)``.
    public func withHTTPClientSpan<T>(
        _ method: String,
        peer: String,
        path: String,
        isolation: isolated (any Actor)? = #isolation,
        _ body: (ActiveSpan?) async throws -> T
    ) async throws -> T {
        let attributes: SpanAttributes = ["http.request.method": .string(method), "peer.service": .string(peer), "url.path": .string(path)]
        return try await withSpan("\(method) \(peer)", kind: .client, attributes: attributes, body)
    }

    /// Starts a span that the caller ends (``ActiveSpan/end()``), for work that does not fit one
    /// closure (a batch published at once); `nil` when off.
    public func startSpan(
        _ name: String,
        kind: SpanKind = .internal,
        parent: ServiceContext? = nil,
        links: [ServiceContext] = [],
        attributes: SpanAttributes = [:]
    ) -> ActiveSpan? {
        guard let tracer else { return nil }
        let span = tracer.startSpan(name, context: parent ?? ServiceContext.current ?? .topLevel, ofKind: kind)
        span.attributes = attributes
        for link in links { span.addLink(SpanLink(context: link, attributes: [:])) }
        return ActiveSpan(span: span)
    }

    /// Runs `body` as part of the trace a `traceparent` names (one kept in a row), so that its
    /// spans join that trace; directly when off or without one.
    public func continuing<T>(
        _ traceparent: String?,
        isolation: isolated (any Actor)? = #isolation,
        _ body: () async throws -> T
    ) async rethrows -> T {
        guard let context = context(traceparent: traceparent) else { return try await body() }
        return try await ServiceContext.$current.withValue(context) { try await body() }
    }

    /// The W3C `traceparent` of `context` (the current span by default), `nil` when off or outside a span.
    public func traceparent(of context: ServiceContext? = ServiceContext.current) -> String? {
        guard let tracer, let context else { return nil }
        var carrier: [String: String] = [:]
        tracer.inject(context, into: &carrier, using: DictionaryInjector())
        return carrier[Self.traceparentKey]
    }

    /// The context a `traceparent` names, to continue its trace; `nil` when off or unreadable.
    public func context(traceparent: String?) -> ServiceContext? {
        guard let tracer, let traceparent, TraceParent(traceparent) != nil else { return nil }
        var context = ServiceContext.topLevel
        tracer.extract([Self.traceparentKey: traceparent], into: &context, using: DictionaryExtractor())
        return context
    }

    static let traceparentKey = "traceparent"

    /// OpenTelemetry's messaging attributes of an event's `publish` or `process` span.
    public static func messagingAttributes(of envelope: EventEnvelope, operation: String, system: String) -> SpanAttributes {
        [
            "messaging.system": .string(system), "messaging.operation.type": .string(operation),
            "messaging.destination.name": .string("comptoir.events"), "messaging.message.id": .string(envelope.id.uuidString.lowercased()),
            "messaging.rabbitmq.destination.routing_key": .string(envelope.type),
        ]
    }
}

/// The span a ``Telemetry/withSpan(_:kind:parent:links:attributes:isolation:_:)`` body runs in.
public struct ActiveSpan: Sendable {
    let span: any Span

    /// Adds or replaces attributes.
    public func set(_ attributes: SpanAttributes) {
        span.attributes.merge(attributes)
    }

    /// Renames the span once the name is known (a request's route template, say).
    public func rename(_ name: String) {
        span.operationName = name
    }

    /// The HTTP status answered (`http.response.status_code`); a 5xx marks the span failed.
    public func record(status: Int) {
        span.attributes.merge(["http.response.status_code": .int64(Int64(status))])
        if status >= 500 { fail() }
    }

    /// Marks the span failed (a 5xx answered without an error thrown).
    public func fail(_ description: String? = nil) {
        span.setStatus(.init(code: .error, message: description))
    }

    /// The span's context, to pass on (``Telemetry/traceparent(of:)``) or link to.
    public var context: ServiceContext { span.context }

    /// Ends a span from ``Telemetry/startSpan(_:kind:parent:links:attributes:)``.
    public func end() {
        span.end()
    }
}

struct DictionaryInjector: Injector {
    func inject(_ value: String, forKey key: String, into carrier: inout [String: String]) {
        carrier[key] = value
    }
}

struct DictionaryExtractor: Extractor {
    func extract(key: String, from carrier: [String: String]) -> String? {
        carrier[key]
    }
}
