import CoreMetrics
import NIOCore
import NIOPosix
import ServiceLifecycle

/// Measures, every second, how late a task scheduled on each event loop runs: the worst delay is
/// `eventloop_lag_seconds`. A loop busy with CPU work or blocked by a synchronous call shows here
/// before requests time out.
public struct EventLoopLagProbe: Service {
    let metrics: ServiceMetrics
    let group: any EventLoopGroup
    let interval: Duration

    public init(metrics: ServiceMetrics, group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton, interval: Duration = .seconds(1)) {
        self.metrics = metrics
        self.group = group
        self.interval = interval
    }

    public func run() async throws {
        let gauge = metrics.gauge("eventloop_lag_seconds")
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                var worst = Duration.zero
                for loop in group.makeIterator() {
                    let asked = ContinuousClock.now
                    // A loop that is shut down answers with an error: the process is stopping.
                    guard let ran = try? await loop.submit({ ContinuousClock.now }).get() else { return }
                    worst = max(worst, ran - asked)
                }
                gauge.record(Double(worst.nanoseconds) / 1e9)
                do { try await Task.sleep(for: interval) } catch { return }
            }
        }
    }
}
