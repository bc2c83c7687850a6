import Foundation

/// A key-value cache with expiry: in-memory LRU in embedded mode, Redis in cluster mode.
/// A cache is an optimisation: callers fall back to the source of truth when it fails or misses.
///
/// Every key has a generation that ``delete(_:)`` moves on. A reader that misses learns the
/// generation, loads from the source, and stores with ``set(_:value:ttl:ifGeneration:)``,
/// which does nothing when the key was deleted in between — otherwise a read that started
/// before a change could put the old value back after the change's invalidation.
public protocol Cache: Sendable {
    func get(_ key: String) async throws -> [UInt8]?
    /// The value, or the key's generation when there is none.
    func lookup(_ key: String) async throws -> CacheLookup
    func set(_ key: String, value: [UInt8], ttl: Duration) async throws
    /// Stores the value only if the key's generation is still `generation`.
    func set(_ key: String, value: [UInt8], ttl: Duration, ifGeneration generation: UInt64) async throws
    /// Removes the value and moves the key's generation on.
    func delete(_ key: String) async throws
    /// Fails when the cache cannot be used; for `/health/ready`.
    func ping() async throws
}

/// What a cache holds for a key.
public enum CacheLookup: Sendable, Equatable {
    case hit([UInt8])
    case miss(generation: UInt64)
}

extension Cache {
    /// Bytes through the cache: the cached copy, or `load()`'s result stored for `ttl` (unless the
    /// key was deleted since the miss). The cache's own failures are never thrown; `load`'s are.
    public func readThroughBytes(_ key: String, ttl: Duration, load: () async throws -> [UInt8]?) async throws -> [UInt8]? {
        let found = try? await lookup(key)
        if case .hit(let bytes) = found { return bytes }
        guard let value = try await load() else { return nil }
        if case .miss(let generation) = found { try? await set(key, value: value, ttl: ttl, ifGeneration: generation) }
        return value
    }

    /// A JSON value through the cache: the cached copy, or `load()`'s result stored for `ttl`.
    /// The cache's own failures are never thrown (the source answers instead); `load`'s are.
    public func readThrough<T: Codable & Sendable>(_ key: String, ttl: Duration, load: () async throws -> T?) async throws -> T? {
        let found = try? await lookup(key)
        if case .hit(let bytes) = found, let value = try? JSONDecoder().decode(T.self, from: Data(bytes)) { return value }
        guard let value = try await load() else { return nil }
        if case .miss(let generation) = found, let bytes = try? JSONEncoder().encode(value) {
            try? await set(key, value: Array(bytes), ttl: ttl, ifGeneration: generation)
        }
        return value
    }
}
