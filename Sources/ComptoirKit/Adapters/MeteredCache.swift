import CoreMetrics

/// A cache that counts its lookups in `cache_lookups_total{result="hit"|"miss"|"error"}`, so
/// an operator sees the hit ratio, and sees a Redis outage as errors turning back into hits.
public struct MeteredCache: Cache {
    let inner: any Cache
    let metrics: ServiceMetrics

    public init(_ inner: any Cache, metrics: ServiceMetrics) {
        self.inner = inner
        self.metrics = metrics
    }

    private func count(_ result: String) {
        metrics.counter("cache_lookups_total", [("result", result)]).increment()
    }

    public func get(_ key: String) async throws -> [UInt8]? {
        do {
            let value = try await inner.get(key)
            count(value == nil ? "miss" : "hit")
            return value
        } catch {
            count("error")
            throw error
        }
    }

    public func lookup(_ key: String) async throws -> CacheLookup {
        do {
            let found = try await inner.lookup(key)
            if case .hit = found { count("hit") } else { count("miss") }
            return found
        } catch {
            count("error")
            throw error
        }
    }

    public func set(_ key: String, value: [UInt8], ttl: Duration) async throws {
        try await inner.set(key, value: value, ttl: ttl)
    }

    public func set(_ key: String, value: [UInt8], ttl: Duration, ifGeneration generation: UInt64) async throws {
        try await inner.set(key, value: value, ttl: ttl, ifGeneration: generation)
    }

    public func delete(_ key: String) async throws {
        try await inner.delete(key)
    }

    public func ping() async throws {
        try await inner.ping()
    }
}
