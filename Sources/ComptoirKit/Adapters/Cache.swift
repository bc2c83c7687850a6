import Foundation

/// A key-value cache with expiry: in-memory LRU in embedded mode, Redis in cluster mode.
/// A cache is an optimisation: callers fall back to the source of truth when it fails or misses.
public protocol Cache: Sendable {
    func get(_ key: String) async throws -> [UInt8]?
    func set(_ key: String, value: [UInt8], ttl: Duration) async throws
    func delete(_ key: String) async throws
    /// Fails when the cache cannot be used; for `/health/ready`.
    func ping() async throws
}

extension Cache {
    /// Reads a JSON value; a missing or undecodable entry is a miss.
    public func getJSON<T: Decodable>(_ key: String, as: T.Type = T.self) async throws -> T? {
        guard let bytes = try await get(key) else { return nil }
        return try? JSONDecoder().decode(T.self, from: Data(bytes))
    }

    public func setJSON(_ key: String, value: some Encodable, ttl: Duration) async throws {
        try await set(key, value: Array(try JSONEncoder().encode(value)), ttl: ttl)
    }
}
