/// What a valid address looks like in each supported country: the postal-code format (checked
/// after normalising case and spaces) and whether a region (state, province) is required.
struct CountryRules: Sendable {
    /// Regular expression the normalised postal code must match entirely.
    let postalCode: String
    /// An example shown in the error message.
    let example: String
    /// Allowed region codes; `nil` when the country's addresses carry no region.
    let regions: Set<String>?

    static let all: [String: CountryRules] = [
        "FR": .init(postalCode: #"(0[1-9]|[1-8]\d|9[0-8])\d{3}"#, example: "75001", regions: nil),
        "DE": .init(postalCode: #"(0[1-9]|[1-9]\d)\d{3}"#, example: "10115", regions: nil),
        "GB": .init(postalCode: #"(GIR 0AA|[A-Z]{1,2}\d[A-Z\d]? \d[A-Z]{2})"#, example: "SW1A 1AA", regions: nil),
        "US": .init(postalCode: #"\d{5}(-\d{4})?"#, example: "94105", regions: usStates),
        "ES": .init(postalCode: #"(0[1-9]|[1-4]\d|5[0-2])\d{3}"#, example: "28013", regions: nil),
        "IT": .init(postalCode: #"\d{5}"#, example: "00184", regions: nil),
        "BE": .init(postalCode: #"[1-9]\d{3}"#, example: "1000", regions: nil),
        "NL": .init(postalCode: #"[1-9]\d{3} (?!SA|SD|SS)[A-Z]{2}"#, example: "1012 AB", regions: nil),
        "CH": .init(postalCode: #"[1-9]\d{3}"#, example: "8001", regions: nil),
        "CA": .init(postalCode: #"[ABCEGHJ-NPRSTVXY]\d[ABCEGHJ-NPRSTV-Z] \d[ABCEGHJ-NPRSTV-Z]\d"#, example: "K1A 0B1", regions: caProvinces),
    ]

    static let usStates: Set<String> = [
        "AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "FL", "GA", "HI", "ID", "IL", "IN", "IA", "KS", "KY", "LA", "ME", "MD", "MA", "MI", "MN",
        "MS", "MO", "MT", "NE", "NV", "NH", "NJ", "NM", "NY", "NC", "ND", "OH", "OK", "OR", "PA", "RI", "SC", "SD", "TN", "TX", "UT", "VT", "VA",
        "WA", "WV", "WI", "WY", "DC", "PR", "GU", "VI", "AS", "MP",
    ]
    static let caProvinces: Set<String> = ["AB", "BC", "MB", "NB", "NL", "NS", "NT", "NU", "ON", "PE", "QC", "SK", "YT"]

    /// Upper-cases and puts the single space where the country writes one (`sw1a1aa` → `SW1A 1AA`).
    static func normalise(_ postalCode: String, country: String) -> String {
        let compact = postalCode.uppercased().filter { !$0.isWhitespace }
        switch country {
        case "GB" where compact.count >= 5, "CA" where compact.count == 6:
            return String(compact.dropLast(3)) + " " + String(compact.suffix(3))
        case "NL" where compact.count == 6:
            return String(compact.prefix(4)) + " " + String(compact.suffix(2))
        default:
            return compact
        }
    }
}
