/// A configuration value that cannot be used. The process stops with one line naming the variable.
public struct ConfigurationError: Error, CustomStringConvertible, Sendable {
    /// The environment variable or command-line flag at fault.
    public let variable: String
    /// What is wrong with it, and what would be right.
    public let message: String

    public init(_ variable: String, _ message: String) {
        self.variable = variable
        self.message = message
    }

    public var description: String { "configuration error: \(variable): \(message)" }
}
