/// An access key and its secret, as S3 (or MinIO) issued them.
public struct S3Credentials: Sendable, Equatable {
    public var accessKey: String
    public var secretKey: String

    public init(accessKey: String, secretKey: String) {
        self.accessKey = accessKey
        self.secretKey = secretKey
    }
}

extension S3Credentials: CustomStringConvertible {
    /// Never the secret: credentials end up in logs and error messages by accident.
    public var description: String { "S3Credentials(accessKey: \(accessKey), secretKey: ***)" }
}
