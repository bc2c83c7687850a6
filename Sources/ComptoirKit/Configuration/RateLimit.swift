import Foundation

/// A token-bucket limit: `capacity` requests at once, refilled over `period` (written `300/1m`).
public struct RateLimit: Sendable, Equatable {
    public var capacity: Int
    public var period: Duration

    public init(capacity: Int, period: Duration) {
        self.capacity = capacity
        self.period = period
    }

    /// The most requests a limit may allow at once. A bucket holds its tokens as a `Double` and
    /// reports them as an `Int`: a capacity near `Int.max` would not convert back.
    public static let maximumCapacity = 1_000_000_000

    public static func parse(_ raw: String, variable: String) throws -> RateLimit {
        let parts = raw.split(separator: "/", maxSplits: 1).map(String.init)
        guard parts.count == 2, let capacity = Int(parts[0]), (1...maximumCapacity).contains(capacity),
            let period = EnvironmentReader.parseDuration(parts[1].first?.isNumber == true ? parts[1] : "1" + parts[1]),
            period > .zero
        else {
            throw ConfigurationError(
                variable,
                "must look like 300/1m: 1 to \(maximumCapacity) requests per period of at most 3650d (got \"\(raw)\")"
            )
        }
        return RateLimit(capacity: capacity, period: period)
    }

    /// The capacity the limiters compute with: brought within 1…``maximumCapacity`` for a limit
    /// made in code with any numbers, so that its tokens always convert back to an `Int`.
    public var bucketCapacity: Int { min(max(capacity, 1), Self.maximumCapacity) }

    /// Tokens added per second: positive and finite for every limit (a zero period refills at
    /// once), so that the wait for the next token is always a finite number of milliseconds.
    public var refillPerSecond: Double {
        Double(bucketCapacity) / max(Double(period.nanoseconds) / 1e9, 1e-9)
    }
}
