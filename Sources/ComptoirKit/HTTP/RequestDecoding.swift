import ComptoirContracts
import Foundation
import Hummingbird

/// Decoding of JSON request bodies into problem-friendly errors.
///
/// Malformed JSON and bad UTF-8 are 400; a missing field, a null or a wrong type is 422 naming
/// the field in `snake_case`, as the API spells it.
public enum RequestDecoding {
    public static func problem(for error: DecodingError) -> Problem {
        switch error {
        case .dataCorrupted(let context) where context.codingPath.isEmpty:
            return Problem(status: .badRequest, detail: "The body is not valid JSON.")
        case .dataCorrupted(let context):
            return fieldProblem(context.codingPath, "has an invalid value")
        case .keyNotFound(let key, let context):
            return fieldProblem(context.codingPath + [key], "is required")
        case .valueNotFound(_, let context):
            return fieldProblem(context.codingPath, "must not be null")
        case .typeMismatch(let type, let context):
            return fieldProblem(context.codingPath, "must be \(describe(type))")
        @unknown default:
            return Problem(status: .badRequest, detail: "The body could not be read.")
        }
    }

    static func fieldProblem(_ path: [any CodingKey], _ message: String) -> Problem {
        let field = fieldName(path)
        return Problem(
            status: .unprocessableContent,
            detail: "The request has invalid fields.",
            errors: [.init(field: field.isEmpty ? "body" : field, message: message)]
        )
    }

    /// `lines[2].unitPrice` → `lines[2].unit_price`.
    static func fieldName(_ path: [any CodingKey]) -> String {
        var name = ""
        for key in path {
            if let index = key.intValue {
                name += "[\(index)]"
            } else {
                name += (name.isEmpty ? "" : ".") + snakeCased(key.stringValue)
            }
        }
        return name
    }

    static func snakeCased(_ key: String) -> String {
        var result = ""
        for character in key {
            if character.isUppercase {
                if !result.isEmpty { result.append("_") }
                result.append(contentsOf: character.lowercased())
            } else {
                result.append(character)
            }
        }
        return result
    }

    static func describe(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: return "a string"
        case is Bool.Type: return "true or false"
        case is Int.Type, is Int64.Type, is Int32.Type: return "an integer"
        case is Double.Type, is Float.Type: return "a number"
        case is UUID.Type: return "a UUID"
        case is Date.Type: return "an RFC 3339 date-time"
        default:
            let name = String(describing: type)
            if name.hasPrefix("Array") { return "an array" }
            if name.hasPrefix("Dictionary") { return "an object" }
            return "of another type"
        }
    }
}

extension Request {
    /// Decodes the JSON body, at most `context.maxUploadSize` bytes, into `type`.
    public func decodeJSON<T: Decodable>(as type: T.Type = T.self, context: ComptoirRequestContext) async throws -> T {
        guard let value = try await decodeJSONIfPresent(as: type, context: context) else {
            throw ProblemError.badRequest("A JSON body is required.")
        }
        return value
    }

    /// Decodes the JSON body like ``decodeJSON(as:context:)``, or nil when there is none: for a
    /// route whose body only carries optional fields (a cancellation's reason).
    public func decodeJSONIfPresent<T: Decodable>(as type: T.Type = T.self, context: ComptoirRequestContext) async throws -> T? {
        if let contentType = headers[.contentType], let mediaType = MediaType(from: contentType),
            !(mediaType.type == .application && (mediaType.subType == "json" || mediaType.subType.hasSuffix("+json")))
        {
            throw ProblemError(.unsupportedMediaType, "The body must be application/json.")
        }
        let buffer = try await body.collect(upTo: context.maxUploadSize)
        guard buffer.readableBytes > 0 else { return nil }
        let bytes = buffer.readableBytesView
        guard String(validating: bytes, as: UTF8.self) != nil else {
            throw ProblemError.badRequest("The body is not valid UTF-8.")
        }
        do {
            return try WireJSON.makeDecoder().decode(T.self, from: Data(bytes))
        } catch let error as DecodingError {
            let problem = RequestDecoding.problem(for: error)
            throw ProblemError(.init(code: problem.status), problem.detail, errors: problem.errors)
        }
    }
}
