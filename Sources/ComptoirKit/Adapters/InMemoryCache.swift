import NIOConcurrencyHelpers

/// The embedded cache: least-recently-used eviction once `capacity` entries are held, and
/// per-entry expiry checked on read. Generations live in a fixed table of counters shared by
/// hashed keys: two keys sharing a counter only cost a skipped store, and memory stays bounded.
public final class InMemoryCache: Cache {
    private struct Entry {
        var value: [UInt8]
        var expires: ContinuousClock.Instant
        var lastUse: UInt64
    }

    private struct State {
        var entries: [String: Entry] = [:]
        var clock: UInt64 = 0
        var generations = [UInt64](repeating: 0, count: 4096)

        func generationSlot(_ key: String) -> Int { Int(UInt(bitPattern: key.hashValue) % UInt(generations.count)) }
    }

    private let state = NIOLockedValueBox(State())
    /// At least 1: a smaller capacity asked for is taken as 1.
    public let capacity: Int

    public init(capacity: Int = 10_000) {
        self.capacity = max(capacity, 1)
    }

    public func get(_ key: String) async throws -> [UInt8]? {
        state.withLockedValue { state in
            guard var entry = state.entries[key] else { return nil }
            guard entry.expires > .now else {
                state.entries[key] = nil
                return nil
            }
            state.clock += 1
            entry.lastUse = state.clock
            state.entries[key] = entry
            return entry.value
        }
    }

    public func lookup(_ key: String) async throws -> CacheLookup {
        if let value = try await get(key) { return .hit(value) }
        return .miss(generation: state.withLockedValue { $0.generations[$0.generationSlot(key)] })
    }

    public func set(_ key: String, value: [UInt8], ttl: Duration, ifGeneration generation: UInt64) async throws {
        state.withLockedValue { state in
            guard state.generations[state.generationSlot(key)] == generation else { return }
            Self.store(key, value: value, ttl: ttl, capacity: capacity, in: &state)
        }
    }

    public func set(_ key: String, value: [UInt8], ttl: Duration) async throws {
        state.withLockedValue { state in Self.store(key, value: value, ttl: ttl, capacity: capacity, in: &state) }
    }

    private static func store(_ key: String, value: [UInt8], ttl: Duration, capacity: Int, in state: inout State) {
        state.clock += 1
        state.entries[key] = Entry(value: value, expires: .now + ttl, lastUse: state.clock)
        if state.entries.count > capacity {
            // Evict the least recently used eighth at once, so eviction stays rare and cheap.
            let victims = state.entries.sorted { $0.value.lastUse < $1.value.lastUse }.prefix(max(1, capacity / 8))
            for victim in victims { state.entries[victim.key] = nil }
        }
    }

    public func delete(_ key: String) async throws {
        state.withLockedValue { state in
            state.entries[key] = nil
            state.generations[state.generationSlot(key)] &+= 1
        }
    }

    public func ping() async throws {}

    /// Entries currently held, expired ones included until read.
    public var count: Int { state.withLockedValue { $0.entries.count } }
}
