import ComptoirContracts
import Foundation
import Hummingbird

/// A JSON response body with a status, encoded in `snake_case` with RFC 3339 dates.
public struct JSONResponse<Value: Encodable & Sendable>: ResponseGenerator, Sendable {
    public var value: Value
    public var status: HTTPResponse.Status
    public var headers: HTTPFields
    /// `nil` for the API's snake_case encoder; a plain one for documents whose keys must stay as they are.
    var encoder: JSONEncoder?

    public init(_ value: Value, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) {
        self.value = value
        self.status = status
        self.headers = headers
    }

    /// A document (such as OpenAPI) encoded with its keys exactly as given.
    public static func verbatim(_ value: Value) -> JSONResponse {
        var response = JSONResponse(value)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes, .sortedKeys]
        response.encoder = encoder
        return response
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        let data = try (encoder ?? WireJSON.makeEncoder()).encode(value)
        var headers = self.headers
        headers[.contentType] = "application/json; charset=utf-8"
        headers[.contentLength] = String(data.count)
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}

/// A JSON body already encoded (such as a cached response), sent as it is.
public struct EncodedJSONResponse: ResponseGenerator, Sendable {
    public var body: ByteBuffer
    public var status: HTTPResponse.Status

    public init(_ body: ByteBuffer, status: HTTPResponse.Status = .ok) {
        self.body = body
        self.status = status
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        let headers: HTTPFields = [.contentType: "application/json; charset=utf-8", .contentLength: String(body.readableBytes)]
        return Response(status: status, headers: headers, body: .init(byteBuffer: body))
    }
}
