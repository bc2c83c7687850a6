import NIOConcurrencyHelpers

/// Wakes a waiting relay (or any polling worker) when new rows may be there, so that delivery does not wait a
/// whole poll interval. Signals coalesce: many notifications before a wait wake it once.
public final class RelaySignal: Sendable {
    private let state = NIOLockedValueBox<(pending: Bool, waiter: CheckedContinuation<Void, Never>?)>((false, nil))

    public init() {}

    public func notify() {
        let waiter = state.withLockedValue { state -> CheckedContinuation<Void, Never>? in
            if let waiter = state.waiter {
                state.waiter = nil
                return waiter
            }
            state.pending = true
            return nil
        }
        waiter?.resume()
    }

    /// Notifies once the current ``ServiceDatabase/transaction(_:)`` has committed, when the rows it
    /// wrote are visible to the worker; at once outside a transaction.
    public func notifyAfterCommit() {
        CommitSignals.notifyAfterCommit(self)
    }

    /// Returns at the next notification or after `timeout`, whichever comes first.
    public func wait(timeout: Duration) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                try? await Task.sleep(for: timeout)
                self.notify()
            }
            group.addTask {
                await withCheckedContinuation { continuation in
                    let resumeNow = self.state.withLockedValue { state -> Bool in
                        if state.pending {
                            state.pending = false
                            return true
                        }
                        state.waiter = continuation
                        return false
                    }
                    if resumeNow { continuation.resume() }
                }
            }
            await group.next()
            group.cancelAll()
            // The sleeper may have been the one that finished; leave no waiter behind.
            await group.waitForAll()
            self.state.withLockedValue { $0.pending = false }
        }
    }
}
