import Logging
import ServiceLifecycle

/// The loop of a background worker that drains a table (the outbox relay, the mail sender):
/// run a pass, go again at once while passes come back full, otherwise wait for the signal or
/// the poll interval. A failed pass is logged and retried at the next wake-up; graceful
/// shutdown ends the loop.
public enum PollingLoop {
    /// - Parameter pass: one pass; returns `true` when there may be more work right away.
    public static func run(
        signal: RelaySignal,
        interval: Duration,
        logger: Logger,
        name: String,
        pass: @escaping @Sendable () async throws -> Bool
    ) async {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                var more = false
                do {
                    more = try await pass()
                } catch is CancellationError {
                    return
                } catch {
                    logger.error("\(name) pass failed", metadata: ["error": .string(String(reflecting: error))])
                }
                if !more { await signal.wait(timeout: interval) }
            }
        }
    }
}
