import ComptoirKit
import Foundation
import S3

/// Object storage on S3 or MinIO (`COMPTOIR_S3_*`): where, with which key, in which bucket,
/// and whether downloads are handed to the store through presigned URLs.
public struct S3Settings: Sendable {
    public var client: S3Configuration
    /// One bucket for the whole platform; each service writes under `<service>/`.
    public var bucket: String
    /// When set, downloads answer 307 to a presigned URL valid this long instead of streaming
    /// the bytes through the service (`COMPTOIR_S3_PRESIGNED_DOWNLOADS`).
    public var presignedDownloads: Duration?
    /// The endpoint browsers reach, for presigned URLs (`COMPTOIR_S3_PUBLIC_ENDPOINT`); the
    /// endpoint itself by default.
    public var publicEndpoint: URL

    /// `nil` when `COMPTOIR_S3_ENDPOINT` is unset: blobs are files under the data directory.
    public init?(environment env: EnvironmentReader) throws {
        guard let endpoint = try env.url("COMPTOIR_S3_ENDPOINT", schemes: ["http", "https"]) else { return nil }
        guard endpoint.path.isEmpty || endpoint.path == "/" else {
            throw ConfigurationError("COMPTOIR_S3_ENDPOINT", "must be scheme://host[:port] without a path (got \"\(endpoint.absoluteString)\")")
        }
        guard let accessKey = env.string("COMPTOIR_S3_ACCESS_KEY") else {
            throw ConfigurationError("COMPTOIR_S3_ACCESS_KEY", "is required with COMPTOIR_S3_ENDPOINT")
        }
        guard let secretKey = env.string("COMPTOIR_S3_SECRET_KEY") else {
            throw ConfigurationError("COMPTOIR_S3_SECRET_KEY", "is required with COMPTOIR_S3_ENDPOINT")
        }
        bucket = env.string("COMPTOIR_S3_BUCKET") ?? "comptoir"
        // S3's bucket naming rules: 3 to 63 lowercase letters, digits, dots and hyphens.
        guard (3...63).contains(bucket.count), bucket.allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "-" || $0 == ".") }),
            bucket.first?.isLetter == true || bucket.first?.isNumber == true
        else {
            throw ConfigurationError("COMPTOIR_S3_BUCKET", "must be 3 to 63 lowercase letters, digits, dots or hyphens (got \"\(bucket)\")")
        }
        let addressing = env.string("COMPTOIR_S3_ADDRESSING") ?? "path"
        guard let style = S3Configuration.Addressing(rawValue: addressing) else {
            throw ConfigurationError("COMPTOIR_S3_ADDRESSING", "must be path or virtual-host (got \"\(addressing)\")")
        }
        client = S3Configuration(
            endpoint: endpoint,
            region: env.string("COMPTOIR_S3_REGION") ?? "us-east-1",
            credentials: S3Credentials(accessKey: accessKey, secretKey: secretKey),
            addressing: style,
            requestTimeout: try env.duration("COMPTOIR_S3_TIMEOUT", default: .seconds(60))
        )
        if let raw = env.string("COMPTOIR_S3_PRESIGNED_DOWNLOADS"), raw.lowercased() != "off" {
            presignedDownloads = try env.duration("COMPTOIR_S3_PRESIGNED_DOWNLOADS", default: .seconds(300))
        }
        publicEndpoint = try env.url("COMPTOIR_S3_PUBLIC_ENDPOINT", schemes: ["http", "https"]) ?? endpoint
    }
}
