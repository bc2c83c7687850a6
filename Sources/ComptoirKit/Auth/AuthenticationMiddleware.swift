import Foundation
import Hummingbird
import Logging

/// Reads `Authorization: Bearer <token>` and sets the request's ``Principal``.
///
/// A request without a token goes on anonymous (routes that need one call `context.require`);
/// a present but invalid token is refused with 401 at once, whatever the route.
public struct AuthenticationMiddleware: RouterMiddleware {
    public typealias Context = ComptoirRequestContext
    let verifier: TokenVerifier

    public init(verifier: TokenVerifier) {
        self.verifier = verifier
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let header = request.headers[.authorization] else { return try await next(request, context) }
        guard let token = Self.bearerToken(header) else {
            throw ProblemError.unauthorized("The Authorization header must be \"Bearer <token>\".")
        }
        var context = context
        context.principal = try await verifier.verify(token)
        if let user = context.principal?.userId { context.logger[metadataKey: "user_id"] = .string(user.uuidString) }
        return try await next(request, context)
    }

    public static func bearerToken(_ header: String) -> String? {
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        let token = parts[1].trimmingCharacters(in: .whitespaces)
        return token.isEmpty ? nil : token
    }
}
