/// Why a backup, a verification or a restore stopped: one sentence naming the set, the service and
/// the part, for the operator reading the terminal at 3 a.m.
public struct RecoveryError: Error, CustomStringConvertible, Sendable {
    public let description: String

    public init(_ description: String) {
        self.description = description
    }
}
