import Foundation

/// Where the object store is and how to address it.
public struct S3Configuration: Sendable {
    /// How a bucket appears in URLs.
    public enum Addressing: String, Sendable {
        /// `https://endpoint/bucket/key`: MinIO and most S3-compatible servers.
        case path
        /// `https://bucket.endpoint/key`: AWS's default.
        case virtualHost = "virtual-host"
    }

    /// `http(s)://host[:port]`, without a path.
    public var endpoint: URL
    public var region: String
    public var credentials: S3Credentials
    public var addressing: Addressing
    /// Objects at least this large go up in parts of this size (S3's minimum part is 5 MiB).
    public var partSize: Int
    /// How long one request may take, a part's upload included.
    public var requestTimeout: Duration

    public init(
        endpoint: URL,
        region: String = "us-east-1",
        credentials: S3Credentials,
        addressing: Addressing = .path,
        partSize: Int = 8 << 20,
        requestTimeout: Duration = .seconds(60)
    ) {
        self.endpoint = endpoint
        self.region = region
        self.credentials = credentials
        self.addressing = addressing
        self.partSize = max(partSize, 5 << 20)
        self.requestTimeout = requestTimeout
    }
}
