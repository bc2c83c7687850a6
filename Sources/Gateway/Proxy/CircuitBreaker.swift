import NIOConcurrencyHelpers

/// Stops calling an upstream that keeps failing, so that its callers get a fast 503 instead of
/// piling up behind timeouts, and lets one trial call through after a cool-down.
///
/// closed → (N consecutive failures) → open → (cool-down elapsed) → half-open: one trial call;
/// its success closes the circuit, its failure opens it again.
final class CircuitBreaker: Sendable {
    enum State: Equatable, Sendable {
        case closed(failures: Int)
        case open(until: ContinuousClock.Instant)
        case halfOpen
    }

    enum Permission: Equatable {
        case allowed
        case refused(retryAfter: Duration)
    }

    private let state = NIOLockedValueBox(State.closed(failures: 0))
    let failureThreshold: Int
    let cooldown: Duration

    init(failureThreshold: Int, cooldown: Duration) {
        self.failureThreshold = failureThreshold
        self.cooldown = cooldown
    }

    /// Whether a call may go out now.
    func permit(now: ContinuousClock.Instant = .now) -> Permission {
        state.withLockedValue { state in
            switch state {
            case .closed:
                return .allowed
            case .open(let until) where now >= until:
                state = .halfOpen
                return .allowed
            case .open(let until):
                return .refused(retryAfter: until - now)
            case .halfOpen:
                // One trial at a time; others wait for its verdict.
                return .refused(retryAfter: .seconds(1))
            }
        }
    }

    func recordSuccess() {
        state.withLockedValue { $0 = .closed(failures: 0) }
    }

    /// Returns true when this failure opened the circuit.
    @discardableResult
    func recordFailure(now: ContinuousClock.Instant = .now) -> Bool {
        state.withLockedValue { state in
            switch state {
            case .halfOpen:
                state = .open(until: now + cooldown)
                return true
            case .closed(let failures) where failures + 1 >= failureThreshold:
                state = .open(until: now + cooldown)
                return true
            case .closed(let failures):
                state = .closed(failures: failures + 1)
                return false
            case .open:
                return false
            }
        }
    }

    var current: State { state.withLockedValue { $0 } }
}
