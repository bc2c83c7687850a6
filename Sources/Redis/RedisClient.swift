import Logging
import NIOCore
import NIOPosix

/// A Redis client: a small pool of pipelined connections and the commands Comptoir uses.
///
/// ```swift
/// let redis = RedisClient(configuration: try RedisConfiguration(url: "redis://:secret@127.0.0.1:6379/0"))
/// try await redis.set("greeting", to: Array("hello".utf8), expiry: .seconds(60))
/// let value = try await redis.get("greeting")
/// await redis.close()
/// ```
///
/// Every command throws ``RedisError``; a server error reply becomes ``RedisError/server(code:message:)``.
public final class RedisClient: Sendable {
    public let configuration: RedisConfiguration
    private let pool: RedisConnectionPool

    public init(
        configuration: RedisConfiguration,
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger = Logger(label: "redis")
    ) {
        self.configuration = configuration
        self.pool = RedisConnectionPool(configuration: configuration, group: eventLoopGroup, logger: logger)
    }

    /// Sends one command and returns its reply.
    @discardableResult
    public func send(_ command: RedisCommand) async throws -> RESPValue {
        let reply = try await pool.connection().send([command], timeout: configuration.commandTimeout)[0]
        if case .error(let text) = reply { throw RedisError.fromReply(text) }
        return reply
    }

    /// Sends the commands in one write and returns each reply in order; an error reply is a
    /// `.failure` in its place and does not stop the others.
    public func pipeline(_ commands: [RedisCommand]) async throws -> [Result<RESPValue, RedisError>] {
        guard !commands.isEmpty else { return [] }
        let replies = try await pool.connection().send(commands, timeout: configuration.commandTimeout)
        return replies.map { reply in
            if case .error(let text) = reply { return .failure(RedisError.fromReply(text)) }
            return .success(reply)
        }
    }

    /// The protocol version the next connection speaks (3 when the server offers RESP3).
    public func protocolVersion() async throws -> Int {
        try await pool.connection().protocolVersion
    }

    /// Closes the connections; the client cannot be used afterwards.
    public func close() async {
        await pool.close()
    }
}

// MARK: - Commands

extension RedisClient {
    public func ping() async throws {
        let reply = try await send(RedisCommand("PING"))
        guard reply.string == "PONG" else { throw RedisError.unexpectedReply(reply) }
    }

    /// The value at `key`, or `nil` when there is none.
    public func get(_ key: String) async throws -> [UInt8]? {
        let reply = try await send(RedisCommand("GET", [RedisArgument(key)]))
        if reply.isNull { return nil }
        guard let bytes = reply.bytes else { throw RedisError.unexpectedReply(reply) }
        return bytes
    }

    /// Sets `key`; with `expiry` it expires (EX/PX), with `onlyIfAbsent` it is set only when
    /// missing (NX). Returns whether the value was set.
    @discardableResult
    public func set(_ key: String, to value: [UInt8], expiry: Duration? = nil, onlyIfAbsent: Bool = false) async throws -> Bool {
        var arguments = [RedisArgument(key), RedisArgument(value)]
        if let expiry {
            let milliseconds = max(Int(expiry.nanoseconds / 1_000_000), 1)
            arguments += milliseconds % 1000 == 0 ? ["EX", RedisArgument(milliseconds / 1000)] : ["PX", RedisArgument(milliseconds)]
        }
        if onlyIfAbsent { arguments.append("NX") }
        return !(try await send(RedisCommand("SET", arguments))).isNull
    }

    /// Deletes the keys; returns how many existed.
    @discardableResult
    public func delete(_ keys: [String]) async throws -> Int {
        guard !keys.isEmpty else { return 0 }
        return try Int(integer(await send(RedisCommand("DEL", keys.map { RedisArgument($0) }))))
    }

    /// Adds one to the integer at `key` (0 when missing) and returns the new value.
    public func increment(_ key: String) async throws -> Int64 {
        try integer(await send(RedisCommand("INCR", [RedisArgument(key)])))
    }

    /// Sets a time to live on `key`; `false` when the key does not exist.
    @discardableResult
    public func expire(_ key: String, after ttl: Duration) async throws -> Bool {
        let seconds = max(Int((ttl.nanoseconds + 999_999_999) / 1_000_000_000), 1)
        return try integer(await send(RedisCommand("EXPIRE", [RedisArgument(key), RedisArgument(seconds)]))) == 1
    }

    /// Sets fields of the hash at `key`; returns how many were new.
    @discardableResult
    public func hashSet(_ key: String, fields: [String: [UInt8]]) async throws -> Int {
        guard !fields.isEmpty else { return 0 }
        var arguments = [RedisArgument(key)]
        for (field, value) in fields.sorted(by: { $0.key < $1.key }) { arguments += [RedisArgument(field), RedisArgument(value)] }
        return try Int(integer(await send(RedisCommand("HSET", arguments))))
    }

    /// Every field of the hash at `key` (empty when there is none).
    public func hashGetAll(_ key: String) async throws -> [String: [UInt8]] {
        let reply = try await send(RedisCommand("HGETALL", [RedisArgument(key)]))
        var fields: [String: [UInt8]] = [:]
        switch reply {
        case .map(let map):
            for (field, value) in map {
                guard let name = field.string, let bytes = value.bytes else { throw RedisError.unexpectedReply(reply) }
                fields[name] = bytes
            }
        case .array(let flat) where flat.count.isMultiple(of: 2):
            for index in stride(from: 0, to: flat.count, by: 2) {
                guard let name = flat[index].string, let bytes = flat[index + 1].bytes else { throw RedisError.unexpectedReply(reply) }
                fields[name] = bytes
            }
        default:
            throw RedisError.unexpectedReply(reply)
        }
        return fields
    }

    /// Deletes fields of the hash at `key`; returns how many existed.
    @discardableResult
    public func hashDelete(_ key: String, fields: [String]) async throws -> Int {
        guard !fields.isEmpty else { return 0 }
        return try Int(integer(await send(RedisCommand("HDEL", [RedisArgument(key)] + fields.map { RedisArgument($0) }))))
    }

    /// One step of SCAN: the next cursor (0 when done) and a batch of keys matching `pattern`.
    public func scan(cursor: UInt64 = 0, matching pattern: String? = nil, count: Int? = nil) async throws -> (cursor: UInt64, keys: [String]) {
        var arguments = [RedisArgument(String(cursor))]
        if let pattern { arguments += ["MATCH", RedisArgument(pattern)] }
        if let count { arguments += ["COUNT", RedisArgument(count)] }
        let reply = try await send(RedisCommand("SCAN", arguments))
        guard let parts = reply.elements, parts.count == 2, let next = parts[0].string.flatMap(UInt64.init), let keys = parts[1].elements else {
            throw RedisError.unexpectedReply(reply)
        }
        return (next, keys.compactMap(\.string))
    }

    /// Every key matching `pattern`, gathered with SCAN (never KEYS, which blocks the server).
    public func scanAll(matching pattern: String, count: Int = 500) async throws -> [String] {
        var cursor: UInt64 = 0
        var keys: [String] = []
        repeat {
            let step = try await scan(cursor: cursor, matching: pattern, count: count)
            keys += step.keys
            cursor = step.cursor
        } while cursor != 0
        return Array(Set(keys))
    }

    /// Runs a Lua script sent in full (EVAL).
    public func eval(_ source: String, keys: [String] = [], arguments: [RedisArgument] = []) async throws -> RESPValue {
        try await send(RedisCommand("EVAL", [RedisArgument(source), RedisArgument(keys.count)] + keys.map { RedisArgument($0) } + arguments))
    }

    /// Runs a script the server already knows by its SHA-1 (EVALSHA).
    public func evalSHA(_ sha: String, keys: [String] = [], arguments: [RedisArgument] = []) async throws -> RESPValue {
        try await send(RedisCommand("EVALSHA", [RedisArgument(sha), RedisArgument(keys.count)] + keys.map { RedisArgument($0) } + arguments))
    }

    /// Loads a script and returns its SHA-1 (SCRIPT LOAD).
    public func loadScript(_ source: String) async throws -> String {
        let reply = try await send(RedisCommand("SCRIPT", ["LOAD", RedisArgument(source)]))
        guard let sha = reply.string else { throw RedisError.unexpectedReply(reply) }
        return sha
    }

    /// Runs `script` by its SHA-1, loading it first when the server does not know it (a new or
    /// restarted server answers NOSCRIPT).
    public func run(_ script: RedisScript, keys: [String] = [], arguments: [RedisArgument] = []) async throws -> RESPValue {
        do {
            return try await evalSHA(script.sha, keys: keys, arguments: arguments)
        } catch RedisError.server(let code, _) where code == "NOSCRIPT" {
            return try await eval(script.source, keys: keys, arguments: arguments)
        }
    }

    private func integer(_ reply: RESPValue) throws -> Int64 {
        guard case .integer(let value) = reply else { throw RedisError.unexpectedReply(reply) }
        return value
    }
}
