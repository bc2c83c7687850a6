import Foundation
import Hummingbird
import NIOHTTP1

/// An RFC 9457 problem document, the body of every error response.
public struct Problem: Codable, Sendable, Equatable {
    /// One invalid input field and what is wrong with it.
    public struct FieldError: Codable, Sendable, Equatable {
        public var field: String
        public var message: String

        public init(field: String, message: String) {
            self.field = field
            self.message = message
        }
    }

    public var type: String
    public var title: String
    public var status: Int
    public var detail: String?
    public var errors: [FieldError]?

    public init(status: HTTPResponse.Status, detail: String? = nil, errors: [FieldError]? = nil, type: String? = nil) {
        self.type = type ?? "about:blank"
        // `Status(code:)` carries no phrase; NIO's table has every registered one.
        self.title = status.reasonPhrase.isEmpty ? HTTPResponseStatus(statusCode: status.code).reasonPhrase : status.reasonPhrase
        self.status = status.code
        self.detail = detail
        self.errors = errors
    }

    /// The media type of problem documents.
    public static let mediaType = "application/problem+json"
}

/// An error that becomes a problem+json response with the given status.
public struct ProblemError: Error, Sendable, HTTPResponseError {
    public var problem: Problem
    /// Extra response headers, such as `Retry-After`.
    public var headers: HTTPFields

    public init(_ status: HTTPResponse.Status, _ detail: String? = nil, errors: [Problem.FieldError]? = nil, headers: HTTPFields = [:]) {
        self.problem = Problem(status: status, detail: detail, errors: errors)
        self.headers = headers
    }

    public var status: HTTPResponse.Status { .init(code: problem.status) }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        problem.response(headers: headers)
    }

    public static func notFound(_ what: String = "resource") -> ProblemError { .init(.notFound, "No such \(what).") }
    public static func unauthorized(_ detail: String = "Authentication is required.") -> ProblemError {
        .init(.unauthorized, detail, headers: [.wwwAuthenticate: "Bearer"])
    }
    public static func forbidden(_ detail: String = "You do not have the role this needs.") -> ProblemError { .init(.forbidden, detail) }
    public static func conflict(_ detail: String) -> ProblemError { .init(.conflict, detail) }
    public static func validation(_ errors: [Problem.FieldError]) -> ProblemError {
        .init(.unprocessableContent, "The request has invalid fields.", errors: errors)
    }
    public static func badRequest(_ detail: String) -> ProblemError { .init(.badRequest, detail) }
    public static func tooManyRequests(retryAfter seconds: Int, _ detail: String) -> ProblemError {
        .init(.tooManyRequests, detail, headers: [.retryAfter: String(max(1, seconds))])
    }
}

extension Problem {
    /// This problem as a complete HTTP response.
    public func response(headers extra: HTTPFields = [:]) -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data = (try? encoder.encode(self)) ?? Data("{\"status\":\(status)}".utf8)
        var headers = extra
        headers[.contentType] = Problem.mediaType
        headers[.contentLength] = String(data.count)
        return Response(status: .init(code: status), headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
