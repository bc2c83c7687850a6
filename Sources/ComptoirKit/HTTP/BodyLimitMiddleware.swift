import Hummingbird

/// Sets the largest JSON body a router's handlers decode (`COMPTOIR_MAX_BODY_SIZE`); a larger one is a 413.
/// Upload routes collect their bodies with their own, larger limit.
public struct BodyLimitMiddleware: RouterMiddleware {
    public typealias Context = ComptoirRequestContext
    let limit: Int

    public init(limit: Int) {
        self.limit = limit
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        context.maxUploadSize = limit
        return try await next(request, context)
    }
}
