import Hummingbird

/// The `?page=&per_page=` of a list request, checked: 1 ≤ page ≤ 10,000,000, 1 ≤ per_page ≤ 100.
///
/// Both bounds hold for every value, however it was made, so ``offset`` and ``rows`` never
/// overflow: a request for page 2^63−1 is a 422, not arithmetic on an unchecked number.
public struct PageRequest: Sendable, Equatable {
    public static let maximumPerPage = 100
    /// The last page a list request may ask for: 10^9 rows in at most 100 per page, more than any
    /// list of a shop holds, while `(page - 1) * per_page` stays far from `Int.max`.
    public static let maximumPage = 10_000_000

    public let page: Int
    public let perPage: Int

    /// A page within the bounds: a value outside them is brought to the nearest bound.
    public init(page: Int = 1, perPage: Int = 20) {
        self.page = min(max(page, 1), Self.maximumPage)
        self.perPage = min(max(perPage, 1), Self.maximumPerPage)
    }

    /// Reads and validates the query; a bad value is a 422 naming the parameter.
    public init(from request: Request) throws {
        var validator = Validator()
        let query = request.uri.queryParameters
        func read(_ name: String, default value: Int, in bounds: ClosedRange<Int>) -> Int {
            guard let raw = query[name[...]] else { return value }
            guard let number = Int(raw), bounds.contains(number) else {
                validator.fail(name, "must be an integer between \(bounds.lowerBound) and \(bounds.upperBound)")
                return value
            }
            return number
        }
        let page = read("page", default: 1, in: 1...Self.maximumPage)
        let perPage = read("per_page", default: 20, in: 1...Self.maximumPerPage)
        try validator.check()
        self.init(page: page, perPage: perPage)
    }

    /// Rows to skip.
    public var offset: Int { (page - 1) * perPage }

    /// The rows of this page, for Fluent's `range(_:)`.
    public var rows: Range<Int> { offset..<(offset + perPage) }
}

/// One page of a list: `{"items":[...],"total":N,"page":1,"per_page":20}`.
public struct PagedList<Item: Encodable & Sendable>: Encodable, Sendable {
    public var items: [Item]
    public var total: Int
    public var page: Int
    public var perPage: Int

    public init(items: [Item], total: Int, request: PageRequest) {
        self.items = items
        self.total = total
        self.page = request.page
        self.perPage = request.perPage
    }
}
