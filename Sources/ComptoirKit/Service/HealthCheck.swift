import Foundation
import Hummingbird

/// One dependency checked by `/health/ready`.
public struct HealthCheck: Sendable {
    public var name: String
    public var check: @Sendable () async throws -> Void

    public init(_ name: String, check: @escaping @Sendable () async throws -> Void) {
        self.name = name
        self.check = check
    }
}

/// `/health/live` (the process answers) and `/health/ready` (every dependency answers within 2 s).
public enum HealthRoutes {
    struct Report: Codable, Sendable {
        var status: String
        var checks: [String: String]
    }

    public static func add(to router: Router<ComptoirRequestContext>, checks: [HealthCheck]) {
        router.get("/health/live") { _, _ in JSONResponse(Report(status: "ok", checks: [:])) }
        router.get("/health/ready") { _, context in
            var results: [String: String] = [:]
            await withTaskGroup(of: (String, String).self) { group in
                for check in checks {
                    group.addTask {
                        do {
                            try await withTimeout(.seconds(2)) { try await check.check() }
                            return (check.name, "ok")
                        } catch {
                            return (check.name, "failing: \(error)")
                        }
                    }
                }
                for await (name, result) in group { results[name] = result }
            }
            let healthy = results.values.allSatisfy { $0 == "ok" }
            if !healthy { context.logger.warning("not ready", metadata: ["checks": .string("\(results)")]) }
            return JSONResponse(Report(status: healthy ? "ok" : "failing", checks: results), status: healthy ? .ok : .serviceUnavailable)
        }
    }
}

/// A deadline passed before the work finished.
public struct TimeoutError: Error, Sendable, CustomStringConvertible {
    public var description: String { "timed out" }
}

/// Runs `work`, cancelling it and throwing ``TimeoutError`` after `timeout`.
public func withTimeout<T: Sendable>(_ timeout: Duration, _ work: @escaping @Sendable () async throws -> T) async throws -> T {
    try await withThrowingTaskGroup(of: T.self) { group in
        group.addTask { try await work() }
        group.addTask {
            try await Task.sleep(for: timeout)
            throw TimeoutError()
        }
        defer { group.cancelAll() }
        return try await group.next()!
    }
}
