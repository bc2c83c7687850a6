import Foundation

/// Progress lines on standard error, each with the time since the command started, so that a
/// long run shows it is moving and where the time goes.
public struct RecoveryProgress: Sendable {
    let started = ContinuousClock.now
    let quiet: Bool

    public init(quiet: Bool = false) {
        self.quiet = quiet
    }

    func say(_ line: String) {
        guard !quiet else { return }
        let elapsed = (ContinuousClock.now - started).seconds
        FileHandle.standardError.write(Data((String(format: "[%7.1fs] ", elapsed) + line + "\n").utf8))
    }

    /// `1.3 MiB`.
    static func bytes(_ count: Int64) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var value = Double(count)
        var unit = 0
        while value >= 1024, unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        return unit == 0 ? "\(count) B" : String(format: "%.1f %@", value, units[unit])
    }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
