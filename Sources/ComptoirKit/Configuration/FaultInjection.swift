import Foundation

/// Seams for crash tests only, off unless their variables are set; the process logs a warning
/// at start when one is (docs/decisions/0011). Never set in production.
public struct FaultInjection: Sendable, Equatable {
    /// Event types the outbox relays keep unpublished (`COMPTOIR_HOLD_EVENTS`), so a test can
    /// kill the process at a known point of a saga.
    public var heldEventTypes: Set<String>
    /// Event types after whose confirmed publication a relay kills its own process with SIGKILL
    /// before marking the row sent (`COMPTOIR_CRASH_AFTER_PUBLISH`): the crash the outbox must
    /// survive by publishing again, with the consumers' inboxes dropping the duplicate.
    public var crashAfterPublishing: Set<String>

    public init(heldEventTypes: Set<String> = [], crashAfterPublishing: Set<String> = []) {
        self.heldEventTypes = heldEventTypes
        self.crashAfterPublishing = crashAfterPublishing
    }

    init(environment env: EnvironmentReader) {
        func types(_ name: String) -> Set<String> {
            Set((env.string(name) ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty })
        }
        self.init(heldEventTypes: types("COMPTOIR_HOLD_EVENTS"), crashAfterPublishing: types("COMPTOIR_CRASH_AFTER_PUBLISH"))
    }

    public var isActive: Bool { !heldEventTypes.isEmpty || !crashAfterPublishing.isEmpty }

    /// What is set, for the start-up warning.
    public var summary: String {
        var parts: [String] = []
        if !heldEventTypes.isEmpty { parts.append("COMPTOIR_HOLD_EVENTS=" + heldEventTypes.sorted().joined(separator: ",")) }
        if !crashAfterPublishing.isEmpty { parts.append("COMPTOIR_CRASH_AFTER_PUBLISH=" + crashAfterPublishing.sorted().joined(separator: ",")) }
        return parts.joined(separator: " ")
    }
}
