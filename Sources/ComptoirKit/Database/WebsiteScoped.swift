import FluentKit
import Foundation
import Hummingbird

/// A Fluent model whose rows each belong to one store, read by id only within the request's store:
/// another store's row is a 404, exactly like an id that does not exist.
///
/// ```swift
/// extension Product: WebsiteScoped {
///     static var websiteIdKey: KeyPath<Product, FieldProperty<Product, UUID>> { \.$websiteId }
/// }
/// let product = try await Product.find(in: context, on: database, notFound: "product")
/// ```
public protocol WebsiteScoped: Model where IDValue == UUID {
    /// The `@Field` (or `@OptionalField`) holding the row's store id, a `UUID`.
    associatedtype WebsiteIdProperty: QueryableProperty where WebsiteIdProperty.Model == Self

    /// The row's store: `\.$websiteId`.
    static var websiteIdKey: KeyPath<Self, WebsiteIdProperty> { get }

    /// The store whose rows `context` may read. By default `context.website`: the store the gateway
    /// resolved, or the default store. `nil` reads every store's rows; only a model whose rows are
    /// written without a store when none was resolved should return it (then exactly when none was).
    static func website(for context: ComptoirRequestContext) -> UUID?
}

extension WebsiteScoped {
    public static func website(for context: ComptoirRequestContext) -> UUID? { context.website }

    /// The rows of the request's store (``website(for:)``), for lists and further filters.
    public static func query(in context: ComptoirRequestContext, on database: any Database) -> QueryBuilder<Self> {
        let rows = Self.query(on: database)
        guard let website = website(for: context) else { return rows }
        return rows.filter(path(for: websiteIdKey), .equal, website)
    }

    /// The row whose id is the path parameter `parameter`, in the request's store and kept by `narrow`
    /// (an owner filter, eager loads); otherwise `ProblemError.notFound(what)`, `No such <what>.`, the same
    /// for a malformed id, a missing row, another store's and one `narrow` leaves out, which a client
    /// therefore cannot tell apart. `narrow` may throw its own problem.
    public static func find(
        in context: ComptoirRequestContext,
        parameter: String = "id",
        on database: any Database,
        notFound what: String,
        _ narrow: (QueryBuilder<Self>) throws -> QueryBuilder<Self> = { $0 }
    ) async throws -> Self {
        guard let id = context.parameters.get(parameter, as: UUID.self),
            let row = try await narrow(query(in: context, on: database).filter(\._$id == id)).first()
        else { throw ProblemError.notFound(what) }
        return row
    }
}
