import Hummingbird

/// The `?page=&per_page=` of a list request, checked: page ≥ 1, 1 ≤ per_page ≤ 100.
public struct PageRequest: Sendable, Equatable {
    public static let maximumPerPage = 100
    public var page: Int
    public var perPage: Int

    public init(page: Int = 1, perPage: Int = 20) {
        self.page = page
        self.perPage = perPage
    }

    /// Reads and validates the query; a bad value is a 422 naming the parameter.
    public init(from request: Request) throws {
        var validator = Validator()
        let query = request.uri.queryParameters
        func read(_ name: String, default value: Int) -> Int {
            guard let raw = query[name[...]] else { return value }
            guard let number = Int(raw) else {
                validator.fail(name, "must be an integer")
                return value
            }
            return number
        }
        let page = read("page", default: 1)
        let perPage = read("per_page", default: 20)
        validator.expect(page >= 1, "page", "must be 1 or more")
        validator.expect((1...Self.maximumPerPage).contains(perPage), "per_page", "must be between 1 and \(Self.maximumPerPage)")
        try validator.check()
        self.init(page: page, perPage: perPage)
    }

    /// Rows to skip.
    public var offset: Int { (page - 1) * perPage }
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
