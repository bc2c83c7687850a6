import NIOConcurrencyHelpers

/// The embedded cache: least-recently-used eviction once `capacity` entries are held, and
/// per-entry expiry checked on read.
public final class InMemoryCache: Cache {
    private struct Entry {
        var value: [UInt8]
        var expires: ContinuousClock.Instant
        var lastUse: UInt64
    }

    private struct State {
        var entries: [String: Entry] = [:]
        var clock: UInt64 = 0
    }

    private let state = NIOLockedValueBox(State())
    public let capacity: Int

    public init(capacity: Int = 10_000) {
        precondition(capacity > 0)
        self.capacity = capacity
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

    public func set(_ key: String, value: [UInt8], ttl: Duration) async throws {
        state.withLockedValue { state in
            state.clock += 1
            state.entries[key] = Entry(value: value, expires: .now + ttl, lastUse: state.clock)
            if state.entries.count > capacity {
                // Evict the least recently used eighth at once, so eviction stays rare and cheap.
                let victims = state.entries.sorted { $0.value.lastUse < $1.value.lastUse }.prefix(max(1, capacity / 8))
                for victim in victims { state.entries[victim.key] = nil }
            }
        }
    }

    public func delete(_ key: String) async throws {
        _ = state.withLockedValue { $0.entries.removeValue(forKey: key) }
    }

    public func ping() async throws {}

    /// Entries currently held, expired ones included until read.
    public var count: Int { state.withLockedValue { $0.entries.count } }
}
