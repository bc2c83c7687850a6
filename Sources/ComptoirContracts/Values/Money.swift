/// An amount of money in minor units (cents) of an ISO 4217 currency: `{"price": 1999, "currency": "EUR"}` is 19.99 €.
///
/// Integer minor units never round; arithmetic across currencies is refused.
public struct Money: Codable, Sendable, Hashable {
    public var amount: Int
    public var currency: CurrencyCode

    public init(amount: Int, currency: CurrencyCode) {
        self.amount = amount
        self.currency = currency
    }

    public static func + (lhs: Money, rhs: Money) throws -> Money {
        guard lhs.currency == rhs.currency else { throw MoneyError.currencyMismatch(lhs.currency, rhs.currency) }
        let (sum, overflow) = lhs.amount.addingReportingOverflow(rhs.amount)
        guard !overflow else { throw MoneyError.overflow }
        return Money(amount: sum, currency: lhs.currency)
    }

    public func times(_ quantity: Int) throws -> Money {
        let (product, overflow) = amount.multipliedReportingOverflow(by: quantity)
        guard !overflow else { throw MoneyError.overflow }
        return Money(amount: product, currency: currency)
    }
}

extension Money {
    /// The largest price of one unit of a product, in minor units (100 million of a currency with
    /// cents). A product's price is at most this, so a consumer of prices (a basket snapshot, an
    /// event) can tell an absurd one from a real one.
    public static let maximumUnitPrice = 100_000_000_00

    /// Currencies without minor units (ISO 4217 exponent 0); every other one has two.
    static let wholeUnitCurrencies: Set<String> = ["JPY", "KRW", "CLP", "ISK", "VND", "XAF", "XOF"]

    /// Plain-text form for people, such as `19.99 EUR` or `1500 JPY`.
    public var formatted: String {
        guard !Self.wholeUnitCurrencies.contains(currency.code) else { return "\(amount) \(currency)" }
        let sign = amount < 0 ? "-" : ""
        // The magnitude is a `UInt`: `abs(Int.min)` would trap, and an amount comes from events.
        let units = amount.magnitude
        let cents = units % 100
        return "\(sign)\(units / 100).\(cents < 10 ? "0" : "")\(cents) \(currency)"
    }
}

public enum MoneyError: Error, Sendable, Equatable {
    case currencyMismatch(CurrencyCode, CurrencyCode)
    case overflow
}

/// An ISO 4217 alphabetic currency code: three upper-case ASCII letters.
public struct CurrencyCode: Codable, Sendable, Hashable, CustomStringConvertible {
    public let code: String

    /// `nil` unless `code` is three upper-case ASCII letters.
    public init?(_ code: String) {
        guard code.utf8.count == 3, code.utf8.allSatisfy({ (0x41...0x5A).contains($0) }) else { return nil }
        self.code = code
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let raw = try container.decode(String.self)
        guard let code = CurrencyCode(raw) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "not an ISO 4217 currency code")
        }
        self = code
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(code)
    }

    public var description: String { code }

    public static let eur = CurrencyCode("EUR")!  // trap-checked: a literal of three upper-case letters
}
