import Foundation
import Logging
import Testing

@testable import Redis

/// The server of the tests: `COMPTOIR_TEST_REDIS_URL` (scripts/integration-test sets it).
enum TestServer {
    static let url = ProcessInfo.processInfo.environment["COMPTOIR_TEST_REDIS_URL"]

    /// The client logs reconnections; the tests that provoke them need not show them.
    static var quietLogger: Logger {
        var logger = Logger(label: "redis-test")
        logger.logLevel = .critical
        return logger
    }
}

/// Against a real server. Without `COMPTOIR_TEST_REDIS_URL` these tests do not run; with it, a
/// server that cannot be reached fails them.
@Suite(.enabled(if: TestServer.url != nil, "set COMPTOIR_TEST_REDIS_URL to run against a real redis-server"))
struct RedisClientTests {

    /// Keys of one test, so tests running in parallel never meet.
    let prefix = "test:\(UUID().uuidString):"

    private func withClient(_ body: (RedisClient) async throws -> Void) async throws {
        try await withConfiguredClient(try configuration { _ in }, body)
    }

    /// The test server's configuration, adjusted.
    private func configuration(_ adjust: (inout RedisConfiguration) -> Void) throws -> RedisConfiguration {
        var configuration = try RedisConfiguration(url: TestServer.url!)
        adjust(&configuration)
        return configuration
    }

    private func withConfiguredClient(_ configuration: RedisConfiguration, _ body: (RedisClient) async throws -> Void) async throws {
        let client = RedisClient(configuration: configuration, logger: TestServer.quietLogger)
        do {
            try await body(client)
        } catch {
            await client.close()
            throw error
        }
        await client.close()
    }

    @Test func speaksRESP3AndAnswersPing() async throws {
        try await withClient { redis throws in
            try await redis.ping()
            #expect(try await redis.protocolVersion() == 3)
        }
    }

    @Test func getsAndSetsWithExpiryAndNX() async throws {
        try await withClient { redis throws in
            let key = prefix + "k"
            #expect(try await redis.get(key) == nil)
            #expect(try await redis.set(key, to: [0, 1, 2, 255], expiry: .seconds(30)))
            #expect(try await redis.get(key) == [0, 1, 2, 255])
            let ttl = try await redis.send(RedisCommand("TTL", [RedisArgument(key)])).int ?? -1
            #expect((1...30).contains(ttl))
            #expect(try await redis.set(key, to: [9], onlyIfAbsent: true) == false)
            #expect(try await redis.get(key) == [0, 1, 2, 255])
            #expect(try await redis.set(key, to: [7], expiry: .milliseconds(1500)))
            let pttl = try await redis.send(RedisCommand("PTTL", [RedisArgument(key)])).int ?? -1
            #expect((1...1500).contains(pttl))
            #expect(try await redis.delete([key, prefix + "missing"]) == 1)
            #expect(try await redis.get(key) == nil)
        }
    }

    @Test func countsAndExpires() async throws {
        try await withClient { redis throws in
            let key = prefix + "counter"
            #expect(try await redis.increment(key) == 1)
            #expect(try await redis.increment(key) == 2)
            #expect(try await redis.expire(key, after: .seconds(10)))
            #expect(try await redis.expire(prefix + "missing", after: .seconds(10)) == false)
        }
    }

    @Test func keepsHashes() async throws {
        try await withClient { redis throws in
            let key = prefix + "hash"
            #expect(try await redis.hashSet(key, fields: ["a": Array("1".utf8), "b": Array("2".utf8)]) == 2)
            #expect(try await redis.hashGetAll(key) == ["a": Array("1".utf8), "b": Array("2".utf8)])
            #expect(try await redis.hashDelete(key, fields: ["a", "zzz"]) == 1)
            #expect(try await redis.hashGetAll(key) == ["b": Array("2".utf8)])
            #expect(try await redis.hashGetAll(prefix + "none") == [:])
        }
    }

    @Test func scansKeysByPattern() async throws {
        try await withClient { redis throws in
            for index in 0..<250 { try await redis.set(prefix + "scan:\(index)", to: [1], expiry: .seconds(60)) }
            let keys = try await redis.scanAll(matching: prefix + "scan:*", count: 50)
            #expect(keys.count == 250)
        }
    }

    @Test func runsScriptsByDigestAndReloadsThemAfterAFlush() async throws {
        try await withClient { redis throws in
            let script = RedisScript("return redis.call('INCRBY', KEYS[1], ARGV[1])")
            #expect(try await redis.eval(script.source, keys: [prefix + "s"], arguments: [5]) == .integer(5))
            #expect(try await redis.loadScript(script.source) == script.sha)
            #expect(try await redis.evalSHA(script.sha, keys: [prefix + "s"], arguments: [2]) == .integer(7))
            try await redis.send(RedisCommand("SCRIPT", ["FLUSH"]))
            await #expect(throws: RedisError.server(code: "NOSCRIPT", message: "No matching script. Please use EVAL.")) {
                try await redis.evalSHA(script.sha, keys: [prefix + "s"], arguments: [1])
            }
            #expect(try await redis.run(script, keys: [prefix + "s"], arguments: [3]) == .integer(10))
            #expect(try await redis.run(script, keys: [prefix + "s"], arguments: [1]) == .integer(11))
        }
    }

    @Test func typesServerErrors() async throws {
        try await withClient { redis throws in
            try await redis.hashSet(prefix + "h", fields: ["f": [1]])
            do {
                _ = try await redis.get(prefix + "h")
                Issue.record("GET on a hash must fail")
            } catch RedisError.server(let code, _) {
                #expect(code == "WRONGTYPE")
            }
            try await redis.ping()
        }
    }

    @Test func pipelinesManyCommandsFromManyTasks() async throws {
        try await withConfiguredClient(try configuration { $0.poolSize = 2 }) { redis throws in
            let key = prefix + "many"
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<2000 { group.addTask { _ = try await redis.increment(key) } }
                try await group.waitForAll()
            }
            #expect(try await redis.get(key) == Array("2000".utf8))
            let replies = try await redis.pipeline([
                RedisCommand("SET", [RedisArgument(prefix + "p"), "x"]), RedisCommand("INCR", [RedisArgument(prefix + "p")]),
                RedisCommand("GET", [RedisArgument(prefix + "p")]),
            ])
            #expect(try replies[0].get() == .simpleString("OK"))
            guard case .failure(.server(let code, _)) = replies[1] else {
                Issue.record("INCR on text must fail alone")
                return
            }
            #expect(code == "ERR")
            #expect(try replies[2].get() == .bulkString(Array("x".utf8)))
        }
    }

    @Test func selectsTheDatabaseOfTheURL() async throws {
        let key = prefix + "db"
        try await withConfiguredClient(try configuration { $0.database = 1 }) { redis throws in
            try await redis.set(key, to: [1], expiry: .seconds(30))
        }
        try await withConfiguredClient(try configuration { $0.database = 0 }) { redis throws in #expect(try await redis.get(key) == nil) }
        try await withConfiguredClient(try configuration { $0.database = 1 }) { redis throws in #expect(try await redis.get(key) == [1]) }
    }

    @Test func refusesAWrongPassword() async throws {
        try await withConfiguredClient(
            try configuration {
                $0.password = "not-the-password"
                $0.username = nil
            }
        ) { redis throws in
            await #expect {
                try await redis.ping()
            } throws: { error in
                guard case RedisError.connectionFailed = error else { return false }
                return true
            }
        }
    }

    @Test func timesOutAndRecovers() async throws {
        try await withConfiguredClient(
            try configuration {
                $0.commandTimeout = .milliseconds(200)
                $0.poolSize = 1
                $0.minimumBackoff = .milliseconds(10)
            }
        ) { redis throws in
            // DEBUG SLEEP may be disabled; a Lua busy loop would block the other tests' server, so use a
            // blocking pop with a timeout longer than ours instead.
            await #expect(throws: RedisError.timeout) {
                try await redis.send(RedisCommand("BLPOP", [RedisArgument(prefix + "never"), "2"]))
            }
            // A fresh connection replaces the closed one; on a loaded machine its first ping may
            // itself miss the short timeout, so allow a few.
            var recovered = false
            for _ in 0..<25 where !recovered {
                recovered = (try? await redis.ping()) != nil
                if !recovered { try await Task.sleep(for: .milliseconds(40)) }
            }
            #expect(recovered)
        }
    }

    @Test func reconnectsAfterTheServerDropsTheConnection() async throws {
        try await withConfiguredClient(
            try configuration {
                $0.poolSize = 1
                $0.minimumBackoff = .milliseconds(10)
            }
        ) { redis throws in
            let id = try await redis.send(RedisCommand("CLIENT", ["ID"])).int!
            try await withClient { other throws in try await other.send(RedisCommand("CLIENT", ["KILL", "ID", RedisArgument(id)])) }
            var recovered = false
            for _ in 0..<20 where !recovered {
                recovered = (try? await redis.ping()) != nil
                if !recovered { try await Task.sleep(for: .milliseconds(20)) }
            }
            #expect(recovered)
            #expect(try await redis.send(RedisCommand("CLIENT", ["ID"])).int != id)
        }
    }

    @Test func failsFastWhileTheServerIsUnreachable() async throws {
        var configuration = try RedisConfiguration(url: TestServer.url!)
        configuration.port = 1  // nothing listens there
        configuration.minimumBackoff = .seconds(5)
        let redis = RedisClient(configuration: configuration, logger: TestServer.quietLogger)
        await #expect(throws: RedisError.self) { try await redis.ping() }
        await #expect {
            try await redis.ping()
        } throws: { error in
            guard case RedisError.unavailable = error else { return false }
            return true
        }
        await redis.close()
    }
}
