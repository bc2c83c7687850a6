import AsyncHTTPClient
import Foundation

/// What S3 says about one object.
public struct S3ObjectInfo: Sendable, Equatable {
    public var key: String
    public var size: Int64
    public var etag: String?
    public var contentType: String?
    public var lastModified: Date?

    public init(key: String, size: Int64, etag: String? = nil, contentType: String? = nil, lastModified: Date? = nil) {
        self.key = key
        self.size = size
        self.etag = etag
        self.contentType = contentType
        self.lastModified = lastModified
    }
}

/// One page of ``S3Client/listObjects(bucket:prefix:continuationToken:maxKeys:)``.
public struct S3ObjectList: Sendable {
    public var objects: [S3ObjectInfo]
    /// Pass it back for the next page; `nil` on the last.
    public var nextContinuationToken: String?
}

/// An object on its way down: its metadata and its bytes as they arrive.
public struct S3Download: Sendable {
    /// `size` is the length of this response's body: the range's when a range was asked.
    public var info: S3ObjectInfo
    /// The object's whole size (from `Content-Range`, or the body's length without a range).
    public var totalSize: Int64
    public var body: HTTPClientResponse.Body
}
