/// No cache at all (`COMPTOIR_CACHE=off`): every read goes to the database. For benchmarks
/// and for ruling the cache out while chasing stale data.
public struct DisabledCache: Cache {
    public init() {}

    public func get(_ key: String) async throws -> [UInt8]? { nil }
    public func lookup(_ key: String) async throws -> CacheLookup { .miss(generation: 0) }
    public func set(_ key: String, value: [UInt8], ttl: Duration) async throws {}
    public func set(_ key: String, value: [UInt8], ttl: Duration, ifGeneration generation: UInt64) async throws {}
    public func delete(_ key: String) async throws {}
    public func ping() async throws {}
}
