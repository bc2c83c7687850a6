import Foundation
import Hummingbird
import Logging

/// One dependency checked by `/health/ready`.
public struct HealthCheck: Sendable {
    public var name: String
    /// A failing critical check makes the process not ready (503); a failing optional one (the
    /// cache, which every caller can do without) only marks it `degraded`, so that an outage of
    /// Redis does not take every replica out of its Service at once.
    public var critical: Bool
    public var check: @Sendable () async throws -> Void

    public init(_ name: String, critical: Bool = true, check: @escaping @Sendable () async throws -> Void) {
        self.name = name
        self.critical = critical
        self.check = check
    }
}

/// `/health/live` (the process answers) and `/health/ready` (every critical dependency answers
/// within 2 s; `degraded` when only an optional one does not).
public enum HealthRoutes {
    struct Report: Codable, Sendable {
        var status: String
        var checks: [String: String]
    }

    public static func add(to router: Router<ComptoirRequestContext>, checks: [HealthCheck]) {
        router.get("/health/live") { _, _ in JSONResponse(Report(status: "ok", checks: [:])) }
        router.get("/health/ready") { _, context in
            var results: [String: String] = [:]
            let critical = Set(checks.filter(\.critical).map(\.name))
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
            let healthy = results.allSatisfy { $0.value == "ok" || !critical.contains($0.key) }
            let status = !healthy ? "failing" : results.values.allSatisfy { $0 == "ok" } ? "ok" : "degraded"
            if status != "ok" { context.logger.warning("not ready", metadata: ["status": .string(status), "checks": .string("\(results)")]) }
            return JSONResponse(Report(status: status, checks: results), status: healthy ? .ok : .serviceUnavailable)
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
        return try await group.next()!  // trap-checked: two tasks were added just above, so the group has a result
    }
}
