import Foundation

/// Which backup sets to keep: every complete set younger than `keepDays`, plus the newest of
/// each of the last `keepDaily` days, `keepWeekly` ISO weeks and `keepMonthly` months that have
/// one, and always the newest complete set and the newest verified one (what a restore would use).
/// An incomplete set (no manifest) is kept for a day, since a backup may still be writing it.
public struct RetentionPolicy: Sendable, Equatable {
    public var keepDays: Int
    public var keepDaily: Int
    public var keepWeekly: Int
    public var keepMonthly: Int

    public init(keepDays: Int, keepDaily: Int = 0, keepWeekly: Int = 0, keepMonthly: Int = 0) {
        self.keepDays = keepDays
        self.keepDaily = keepDaily
        self.keepWeekly = keepWeekly
        self.keepMonthly = keepMonthly
    }

    /// A set as retention sees it.
    public struct Candidate: Sendable, Equatable {
        public var id: String
        public var date: Date
        public var complete: Bool
        public var verified: Bool

        public init(id: String, date: Date, complete: Bool, verified: Bool) {
            self.id = id
            self.date = date
            self.complete = complete
            self.verified = verified
        }
    }

    /// The ids to keep; every other set may be deleted.
    public func kept(_ sets: [Candidate], now: Date) -> Set<String> {
        let complete = sets.filter(\.complete).sorted { $0.date > $1.date }
        var kept = Set<String>()
        if let newest = complete.first { kept.insert(newest.id) }
        if let verified = complete.first(where: \.verified) { kept.insert(verified.id) }
        let horizon = now.addingTimeInterval(-Double(keepDays) * 86_400)
        kept.formUnion(complete.filter { $0.date >= horizon }.map(\.id))
        kept.formUnion(sets.filter { !$0.complete && $0.date >= now.addingTimeInterval(-86_400) }.map(\.id))
        let calendar = Calendar.utc
        for (count, bucket) in [
            (keepDaily, { (date: Date) in calendar.dateComponents([.year, .month, .day], from: date) }),
            (keepWeekly, { (date: Date) in calendar.dateComponents([.yearForWeekOfYear, .weekOfYear], from: date) }),
            (keepMonthly, { (date: Date) in calendar.dateComponents([.year, .month], from: date) }),
        ] where count > 0 {
            var seen: [DateComponents] = []
            for set in complete where !seen.contains(bucket(set.date)) {
                guard seen.count < count else { break }
                seen.append(bucket(set.date))
                kept.insert(set.id)
            }
        }
        return kept
    }
}
