import Foundation

/// A token-bucket limit: `capacity` requests at once, refilled over `period` (written `300/1m`).
public struct RateLimit: Sendable, Equatable {
    public var capacity: Int
    public var period: Duration

    public init(capacity: Int, period: Duration) {
        self.capacity = capacity
        self.period = period
    }

    public static func parse(_ raw: String, variable: String) throws -> RateLimit {
        let parts = raw.split(separator: "/", maxSplits: 1).map(String.init)
        guard parts.count == 2, let capacity = Int(parts[0]), capacity > 0,
            let period = EnvironmentReader.parseDuration(parts[1].first?.isNumber == true ? parts[1] : "1" + parts[1]),
            period > .zero
        else {
            throw ConfigurationError(variable, "must look like 300/1m: requests per period (got \"\(raw)\")")
        }
        return RateLimit(capacity: capacity, period: period)
    }
}
