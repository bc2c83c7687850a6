import Foundation
import HTTPTypes
import Hummingbird

/// Reads the store a request is for from `X-Comptoir-Website-Id`, which the gateway sets after
/// resolving `X-Website` / `Host` (and strips from clients), into `context.websiteId`.
public struct WebsiteScopeMiddleware: RouterMiddleware {
    public typealias Context = ComptoirRequestContext

    public init() {}

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let raw = request.headers[.comptoirWebsiteId] else { return try await next(request, context) }
        var context = context
        context.websiteId = UUID(uuidString: raw)
        return try await next(request, context)
    }
}

extension HTTPField.Name {
    /// The resolved store id, set by the gateway for the services behind it.
    public static let comptoirWebsiteId = HTTPField.Name("X-Comptoir-Website-Id")!  // trap-checked: a literal, valid field name
}
