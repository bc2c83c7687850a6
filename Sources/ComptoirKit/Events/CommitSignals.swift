import NIOConcurrencyHelpers

/// The signals to raise once the current transaction has committed.
///
/// An outbox row appended inside a transaction is invisible to the relay until the commit: woken
/// before it, the relay finds nothing and sleeps a whole poll interval (on PostgreSQL every saga
/// hop waited for it, about 100 ms each). ``ServiceDatabase/transaction(_:)`` gives its body a
/// fresh set and raises it after the commit; a rolled-back transaction raises nothing.
final class CommitSignals: Sendable {
    /// The set of the transaction the current task runs in, if any.
    @TaskLocal static var current: CommitSignals?

    private let signals = NIOLockedValueBox<[RelaySignal]>([])

    /// Raises `signal` after the commit of the current transaction, or now outside one.
    static func notifyAfterCommit(_ signal: RelaySignal) {
        if let current {
            current.signals.withLockedValue { pending in
                if !pending.contains(where: { $0 === signal }) { pending.append(signal) }
            }
        } else {
            signal.notify()
        }
    }

    /// Raises every signal collected; called once the transaction has committed.
    func notifyAll() {
        for signal in signals.withLockedValue({ $0 }) { signal.notify() }
    }
}
