import Foundation

/// RFC 3339 UTC timestamps, the only time format of the API.
public enum RFC3339 {
    public static func string(from date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: .gmt))
    }

    /// The instant an RFC 3339 `date-time` (§5.6) names: `YYYY-MM-DDTHH:MM:SS`, an optional
    /// fraction of 1 to 9 digits, then `Z` or `±HH:MM`; `T` and `Z` in either case.
    ///
    /// Strict where Foundation's ISO 8601 parser is lenient: it read `T25:00` as the next day,
    /// `02-30` as March, one-digit fields, five-digit years and text after the offset. Here each
    /// field must be in range (year 0001–9999, so that every date we accept is one we can write
    /// back in this format), and anything else is `nil`, which request decoding makes a 422.
    /// A string that passes is then read by Foundation, the same calendar that writes ours.
    public static func date(from string: String) -> Date? {
        let bytes = Array(string.utf8)
        guard (20...40).contains(bytes.count) else { return nil }
        func number(_ range: Range<Int>) -> Int? {
            var value = 0
            for index in range {
                guard index < bytes.count, (0x30...0x39).contains(bytes[index]) else { return nil }
                value = value * 10 + Int(bytes[index] - 0x30)
            }
            return value
        }
        func byte(_ index: Int, is accepted: Character...) -> Bool {
            index < bytes.count && accepted.contains { $0.asciiValue == bytes[index] }
        }
        guard let year = number(0..<4), byte(4, is: "-"), let month = number(5..<7), byte(7, is: "-"), let day = number(8..<10),
            byte(10, is: "T", "t"), let hour = number(11..<13), byte(13, is: ":"), let minute = number(14..<16), byte(16, is: ":"),
            let second = number(17..<19)
        else { return nil }
        var index = 19
        let fraction = byte(index, is: ".")
        if fraction {
            let start = index + 1
            index = start
            while index < bytes.count, (0x30...0x39).contains(bytes[index]) { index += 1 }
            guard (1...9).contains(index - start) else { return nil }
        }
        if byte(index, is: "Z", "z") {
            index += 1
        } else if byte(index, is: "+", "-"), let offsetHours = number(index + 1..<index + 3), byte(index + 3, is: ":"),
            let offsetMinutes = number(index + 4..<index + 6), offsetHours <= 23, offsetMinutes <= 59
        {
            index += 6
        } else {
            return nil
        }
        guard index == bytes.count, (1...9999).contains(year), (1...12).contains(month), (1...daysIn(month: month, year: year)).contains(day),
            hour <= 23, minute <= 59, second <= 59
        else { return nil }
        let style = fraction ? Date.ISO8601FormatStyle(includingFractionalSeconds: true) : Date.ISO8601FormatStyle()
        return try? style.parse(string.uppercased())
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }
}
