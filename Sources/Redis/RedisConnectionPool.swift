import Logging
import NIOCore
import Synchronization

/// A few long-lived connections, each shared by concurrent commands. A dead connection is
/// replaced on next use; after a failed attempt the pool waits (doubling from the minimum to
/// the maximum back-off) before trying again, and meanwhile fails fast with
/// ``RedisError/unavailable(retryIn:)`` so callers can fall back at once instead of piling up.
final class RedisConnectionPool: Sendable {
    private enum Slot {
        case empty
        case connecting(Task<RedisConnection, any Error>)
        case connected(RedisConnection)
    }

    private struct State {
        var slots: [Slot]
        var next = 0
        var failures = 0
        var retryAt: ContinuousClock.Instant?
        var closed = false
    }

    private let configuration: RedisConfiguration
    private let group: any EventLoopGroup
    private let logger: Logger
    private let state: Mutex<State>

    init(configuration: RedisConfiguration, group: any EventLoopGroup, logger: Logger) {
        self.configuration = configuration
        self.group = group
        self.logger = logger
        self.state = Mutex(State(slots: Array(repeating: .empty, count: max(configuration.poolSize, 1))))
    }

    /// A live connection, round-robin over the slots, opening one when a slot has none.
    func connection() async throws -> RedisConnection {
        enum Choice {
            case ready(RedisConnection)
            case wait(Task<RedisConnection, any Error>)
        }
        let choice: Choice = try state.withLock { state in
            guard !state.closed else { throw RedisError.connectionClosed }
            let index = state.next
            state.next = (state.next + 1) % state.slots.count
            switch state.slots[index] {
            case .connected(let connection) where connection.isActive:
                return .ready(connection)
            case .connecting(let task):
                return .wait(task)
            case .empty, .connected:
                if let retryAt = state.retryAt, retryAt > .now {
                    throw RedisError.unavailable(retryIn: retryAt - .now)
                }
                let task = Task { try await self.open(slot: index) }
                state.slots[index] = .connecting(task)
                return .wait(task)
            }
        }
        switch choice {
        case .ready(let connection): return connection
        case .wait(let task): return try await task.value
        }
    }

    private func open(slot index: Int) async throws -> RedisConnection {
        do {
            let connection = try await RedisConnection.connect(configuration, group: group)
            let (recovered, stillOpen) = state.withLock { state -> (Bool, Bool) in
                let recovered = state.failures > 0
                state.failures = 0
                state.retryAt = nil
                guard !state.closed else { return (recovered, false) }
                state.slots[index] = .connected(connection)
                return (recovered, true)
            }
            guard stillOpen else {
                await connection.close()
                throw RedisError.connectionClosed
            }
            if recovered { logger.notice("redis connection restored", metadata: ["redis": "\(configuration.host):\(configuration.port)"]) }
            return connection
        } catch {
            let backoff = state.withLock { state -> Duration in
                state.failures += 1
                let exponent = min(state.failures - 1, 16)
                let backoff = min(configuration.minimumBackoff * (1 << exponent), configuration.maximumBackoff)
                state.retryAt = .now + backoff
                if case .connecting = state.slots[index] { state.slots[index] = .empty }
                return backoff
            }
            logger.warning(
                "redis connection failed; retrying later",
                metadata: ["redis": "\(configuration.host):\(configuration.port)", "error": "\(error)", "retry_in": "\(backoff)"]
            )
            throw error
        }
    }

    /// Closes every connection; later calls fail with ``RedisError/connectionClosed``.
    func close() async {
        let slots = state.withLock { state -> [Slot] in
            state.closed = true
            defer { state.slots = state.slots.map { _ in .empty } }
            return state.slots
        }
        for slot in slots {
            switch slot {
            case .connected(let connection): await connection.close()
            case .connecting(let task): if let connection = try? await task.value { await connection.close() }
            case .empty: break
            }
        }
    }
}
