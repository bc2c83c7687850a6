import Foundation

/// Reads typed values from environment variables, failing with a ``ConfigurationError`` that
/// names the variable when a value is present but unusable.
public struct EnvironmentReader: Sendable {
    public let values: [String: String]

    public init(_ values: [String: String] = ProcessInfo.processInfo.environment) {
        self.values = values
    }

    /// The trimmed value, or `nil` when the variable is unset or empty.
    public func string(_ name: String) -> String? {
        guard let value = values[name]?.trimmingCharacters(in: .whitespacesAndNewlines), !value.isEmpty else {
            return nil
        }
        return value
    }

    public func int(_ name: String, default defaultValue: Int, in range: ClosedRange<Int>) throws -> Int {
        guard let raw = string(name) else { return defaultValue }
        guard let value = Int(raw), range.contains(value) else {
            throw ConfigurationError(name, "must be an integer between \(range.lowerBound) and \(range.upperBound) (got \"\(raw)\")")
        }
        return value
    }

    public func bool(_ name: String, default defaultValue: Bool) throws -> Bool {
        guard let raw = string(name)?.lowercased() else { return defaultValue }
        switch raw {
        case "1", "true", "yes", "on": return true
        case "0", "false", "no", "off": return false
        default: throw ConfigurationError(name, "must be true or false (got \"\(raw)\")")
        }
    }

    /// A duration such as `250ms`, `10s`, `5m`, `1h`, `30d`, or a bare number of seconds; at most
    /// ``maximumDuration``.
    public func duration(_ name: String, default defaultValue: Duration) throws -> Duration {
        guard let raw = string(name) else { return defaultValue }
        guard let value = Self.parseDuration(raw), value > .zero else {
            throw ConfigurationError(name, "must be a positive duration such as 500ms, 10s, 5m, 1h or 30d, at most 3650d (got \"\(raw)\")")
        }
        return value
    }

    public func url(_ name: String, schemes: Set<String>) throws -> URL? {
        guard let raw = string(name) else { return nil }
        guard let url = URL(string: raw), let scheme = url.scheme?.lowercased(), schemes.contains(scheme), url.host != nil else {
            let expected = schemes.sorted().map { "\($0)://" }.joined(separator: " or ")
            throw ConfigurationError(name, "must be a URL starting with \(expected) and naming a host (got \"\(Self.redacted(raw))\")")
        }
        return url
    }

    /// A comma-separated list, empty items removed.
    public func list(_ name: String) -> [String] {
        guard let raw = string(name) else { return [] }
        return raw.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    /// The longest duration a variable may give: ten years. Timeouts, lifetimes and rate-limit
    /// periods are added to clock readings and turned into nanoseconds; this keeps that arithmetic
    /// far from overflowing.
    public static let maximumDuration: Duration = .seconds(3650 * 86400)

    /// The duration `raw` names, or `nil` when it is not a number with a known unit, or is not
    /// finite, or is beyond ``maximumDuration`` either way (`nan`, `inf`, `1e300s` are refused,
    /// not converted to a trapping integer).
    static func parseDuration(_ raw: String) -> Duration? {
        let units: [(suffix: String, scale: Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600), ("d", 86400)]
        let unit = units.first { raw.hasSuffix($0.suffix) }
        guard let number = Double(raw.dropLast(unit?.suffix.count ?? 0)), number.isFinite else { return nil }
        let milliseconds = (number * (unit?.scale ?? 1) * 1000).rounded()
        let limit = Double(maximumDuration.components.seconds) * 1000
        guard milliseconds.magnitude <= limit else { return nil }
        return .milliseconds(Int64(milliseconds))
    }

    /// Removes a password from a URL so that it can be printed.
    public static func redacted(_ raw: String) -> String {
        // Textual, not URLComponents: a value that does not parse as one URL (a comma-separated
        // list of nodes, a stray space) must lose its passwords too.
        raw.replacing(#/(://[^:/@\s]*):[^@\s]*@/#) { match in "\(match.output.1):***@" }
    }
}
