import ComptoirRecovery
import Foundation
import Testing

/// Prune keeps exactly what the policy says, and never the set a restore would need.
@Suite struct RetentionPolicyTests {
    static let now = Date(timeIntervalSince1970: 1_796_083_200)  // 2026-12-01T00:00:00Z

    /// One complete set a day at 02:30 for `days` days back.
    static func daily(_ days: Int, verified: Set<Int> = []) -> [RetentionPolicy.Candidate] {
        (0..<days).map { age in
            let date = now.addingTimeInterval(-Double(age) * 86_400 + 9_000)
            return .init(id: "day-\(age)", date: date, complete: true, verified: verified.contains(age))
        }
    }

    @Test func keepDaysKeepsTheLastThirtyDaysAndNothingOlder() {
        let kept = RetentionPolicy(keepDays: 30).kept(Self.daily(90), now: Self.now.addingTimeInterval(86_400))
        #expect(kept == Set((0..<30).map { "day-\($0)" }))
    }

    @Test func weeklyAndMonthlyKeepTheNewestOfEachBucket() {
        let sets = Self.daily(120)
        let kept = RetentionPolicy(keepDays: 7, keepWeekly: 8, keepMonthly: 4).kept(sets, now: Self.now.addingTimeInterval(86_400))
        let beyondWeek = kept.subtracting((0..<7).map { "day-\($0)" })
        // 8 weeks (the newest of each, some inside the week already) and 4 months, at most 12 more sets.
        #expect(beyondWeek.count <= 12 && beyondWeek.count >= 7)
        #expect(kept.contains("day-0"))
        #expect(!kept.contains("day-119"))
    }

    @Test func theNewestVerifiedAndTheNewestCompleteSetAreNeverDeleted() {
        var sets = Self.daily(60, verified: [45])
        // A failed run yesterday (no manifest) and an old incomplete one.
        let evaluated = Self.now.addingTimeInterval(86_400)
        sets.append(.init(id: "running", date: evaluated.addingTimeInterval(-3_600), complete: false, verified: false))
        sets.append(.init(id: "abandoned", date: evaluated.addingTimeInterval(-5 * 86_400), complete: false, verified: false))
        let kept = RetentionPolicy(keepDays: 30).kept(sets, now: evaluated)
        #expect(kept.contains("day-45"), "the newest verified set")
        #expect(kept.contains("running"), "an incomplete set less than a day old may still be written")
        #expect(!kept.contains("abandoned"))
        let longAfter = RetentionPolicy(keepDays: 1).kept(Self.daily(3), now: Self.now.addingTimeInterval(400 * 86_400))
        #expect(longAfter == ["day-0"], "the newest complete set, however old")
    }
}
