/// What S3 answered instead of doing what was asked: the code of its error document (or of the
/// HTTP status when the body had none), the message and the request id to quote to the operator.
public struct S3Error: Error, Sendable, Equatable, CustomStringConvertible {
    /// The error codes callers act on; any other is `.other`.
    public enum Code: Sendable, Equatable {
        case noSuchBucket
        case noSuchKey
        case noSuchUpload
        case accessDenied
        case signatureDoesNotMatch
        case invalidAccessKeyId
        case requestTimeTooSkewed
        case bucketAlreadyOwnedByYou
        case bucketAlreadyExists
        case invalidRange
        case entityTooSmall
        case entityTooLarge
        case preconditionFailed
        case slowDown
        case internalError
        /// The server could not be reached or the connection broke.
        case unreachable
        /// An answer that is not what S3 sends (unreadable XML, a missing field).
        case invalidResponse
        case other(String)

        init(_ code: String) {
            switch code {
            case "NoSuchBucket": self = .noSuchBucket
            case "NoSuchKey": self = .noSuchKey
            case "NoSuchUpload": self = .noSuchUpload
            case "AccessDenied": self = .accessDenied
            case "SignatureDoesNotMatch": self = .signatureDoesNotMatch
            case "InvalidAccessKeyId": self = .invalidAccessKeyId
            case "RequestTimeTooSkewed": self = .requestTimeTooSkewed
            case "BucketAlreadyOwnedByYou": self = .bucketAlreadyOwnedByYou
            case "BucketAlreadyExists": self = .bucketAlreadyExists
            case "InvalidRange": self = .invalidRange
            case "EntityTooSmall": self = .entityTooSmall
            case "EntityTooLarge": self = .entityTooLarge
            case "PreconditionFailed": self = .preconditionFailed
            case "SlowDown": self = .slowDown
            case "InternalError": self = .internalError
            default: self = .other(code)
            }
        }

        /// For an error without a body (a HEAD request): the code its status stands for.
        init(status: Int) {
            switch status {
            case 403: self = .accessDenied
            case 404: self = .noSuchKey
            case 412: self = .preconditionFailed
            case 416: self = .invalidRange
            case 500: self = .internalError
            case 503: self = .slowDown
            default: self = .other("HTTP \(status)")
            }
        }
    }

    public var code: Code
    /// The HTTP status, 0 when there was no answer.
    public var status: Int
    public var message: String
    public var requestID: String?

    public init(code: Code, status: Int, message: String, requestID: String? = nil) {
        self.code = code
        self.status = status
        self.message = message
        self.requestID = requestID
    }

    public var description: String {
        "S3 \(code) (HTTP \(status)): \(message)" + (requestID.map { " [request \($0)]" } ?? "")
    }
}
