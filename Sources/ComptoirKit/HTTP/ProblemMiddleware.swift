import AsyncKit
import Foundation
import Hummingbird
import Logging
import NIOCore
import NIOHTTP1

/// Turns every error into an RFC 9457 problem response.
///
/// Known errors keep their status; anything unexpected becomes a 500 whose body says nothing
/// about internals, while the error itself is logged with the request id.
public struct ProblemMiddleware: RouterMiddleware {
    public typealias Context = ComptoirRequestContext

    public init() {}

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as ProblemError {
            return error.problem.response(headers: error.headers)
        } catch let error as HTTPError {
            return Self.problem(for: error).response(headers: error.headers)
        } catch is NIOTooManyBytesError {
            return Problem(status: .contentTooLarge, detail: "The request body is larger than this route accepts.").response()
        } catch let error as DecodingError {
            return RequestDecoding.problem(for: error).response()
        } catch let error as any HTTPResponseError {
            return Problem(status: error.status).response()
        } catch let error as HTTPParserError {
            // The body stream broke mid-request (a bad chunk, a connection cut short): the client's doing.
            return Problem(status: .badRequest, detail: "The request could not be read: \(error.debugDescription).").response()
        } catch is ConnectionPoolTimeoutError {
            // Every database connection stayed busy for the pool's timeout: overload, not a bug.
            context.logger.warning("database pool exhausted", metadata: ["path": .string(request.uri.path)])
            return Problem(status: .serviceUnavailable, detail: "The service is too busy right now; try again shortly.")
                .response(headers: [.retryAfter: "1"])
        } catch is CancellationError {
            return Problem(status: .serviceUnavailable, detail: "The server is shutting down.").response()
        } catch {
            context.logger.error(
                "unhandled error",
                metadata: [
                    "error": .string(String(reflecting: error)), "path": .string(request.uri.path), "method": .string(request.method.rawValue),
                ]
            )
            return Problem(status: .internalServerError, detail: "An unexpected error happened; quote the request id when reporting it.").response()
        }
    }

    static func problem(for error: HTTPError) -> Problem {
        switch error.status {
        case .notFound:
            return Problem(status: .notFound, detail: error.body ?? "No route or resource matches this request.")
        case .contentTooLarge:
            return Problem(status: .contentTooLarge, detail: "The request body is larger than this route accepts.")
        default:
            return Problem(status: error.status, detail: error.body)
        }
    }
}
