import Foundation
import HTTPTypes
import Hummingbird
import Logging

/// Gives every request an id: the caller's `X-Request-Id` when it is sane, a new one otherwise.
/// The id goes into the logger's metadata and back in the response header, errors included.
public struct RequestIDMiddleware: RouterMiddleware {
    public typealias Context = ComptoirRequestContext
    public static let metadataKey = "request_id"
    public static let headerName = HTTPField.Name("X-Request-Id")!  // trap-checked: a literal, valid field name

    public init() {}

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let id = request.headers[Self.headerName].flatMap(Self.sanitized) ?? UUID().uuidString.lowercased()
        var context = context
        context.logger[metadataKey: Self.metadataKey] = .string(id)
        var response = try await next(request, context)
        response.headers[Self.headerName] = id
        return response
    }

    /// Accepts printable ASCII ids up to 128 characters so that logs cannot be forged.
    static func sanitized(_ value: String) -> String? {
        guard !value.isEmpty, value.utf8.count <= 128, value.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else { return nil }
        return value
    }
}
