import CoreMetrics
import Tracing

/// A cache that counts its lookups in `cache_lookups_total{result="hit"|"miss"|"error"}`, so
/// an operator sees the hit ratio, and sees a Redis outage as errors turning back into hits;
/// with tracing on, each operation is a `cache.get`, `cache.set` or `cache.delete` span.
public struct MeteredCache: Cache {
    let inner: any Cache
    let metrics: ServiceMetrics
    let telemetry: Telemetry

    public init(_ inner: any Cache, metrics: ServiceMetrics, telemetry: Telemetry = .off) {
        self.inner = inner
        self.metrics = metrics
        self.telemetry = telemetry
    }

    private func traced<T>(_ operation: String, _ body: () async throws -> T) async throws -> T {
        try await telemetry.withSpan("cache.\(operation)", kind: .client) { _ in try await body() }
    }

    private func count(_ result: String) {
        metrics.counter("cache_lookups_total", [("result", result)]).increment()
    }

    public func get(_ key: String) async throws -> [UInt8]? {
        do {
            let value = try await traced("get") { try await inner.get(key) }
            count(value == nil ? "miss" : "hit")
            return value
        } catch {
            count("error")
            throw error
        }
    }

    public func lookup(_ key: String) async throws -> CacheLookup {
        do {
            let found = try await traced("get") { try await inner.lookup(key) }
            if case .hit = found { count("hit") } else { count("miss") }
            return found
        } catch {
            count("error")
            throw error
        }
    }

    public func set(_ key: String, value: [UInt8], ttl: Duration) async throws {
        try await traced("set") { try await inner.set(key, value: value, ttl: ttl) }
    }

    public func set(_ key: String, value: [UInt8], ttl: Duration, ifGeneration generation: UInt64) async throws {
        try await traced("set") { try await inner.set(key, value: value, ttl: ttl, ifGeneration: generation) }
    }

    public func delete(_ key: String) async throws {
        try await traced("delete") { try await inner.delete(key) }
    }

    public func ping() async throws {
        try await inner.ping()
    }
}
