import AsyncHTTPClient
import ComptoirContracts
import ComptoirKit
import Foundation
import NIOCore
import S3

/// The blob store in cluster mode: objects in one S3 (or MinIO) bucket, each service under a
/// prefix of its own (`<service>/<key>`). Uploads stream through in parts (``S3Client``), so a
/// 20 MiB attachment never sits whole in memory; downloads stream out as S3 sends them, or are
/// handed to the store with a presigned URL when ``S3Settings/presignedDownloads`` is set.
public struct S3BlobStore: BlobStore {
    let client: S3Client
    /// Signs download URLs for the endpoint browsers reach (which may differ from ours).
    let publicClient: S3Client
    let bucket: String
    let prefix: String
    let presignedDownloads: Duration?

    public init(settings: S3Settings, service: ServiceID, httpClient: HTTPClient = .shared) {
        self.client = S3Client(configuration: settings.client, httpClient: httpClient)
        var publicConfiguration = settings.client
        publicConfiguration.endpoint = settings.publicEndpoint
        self.publicClient = S3Client(configuration: publicConfiguration, httpClient: httpClient)
        self.bucket = settings.bucket
        self.prefix = service.rawValue + "/"
        self.presignedDownloads = settings.presignedDownloads
    }

    public func put<Body: AsyncSequence & Sendable>(_ key: String, contentType: String, body: Body) async throws -> Int64
    where Body.Element == ByteBuffer {
        try Self.validate(key)
        return try await client.putObject(bucket: bucket, key: prefix + key, contentType: contentType, body: body).size
    }

    public func get(_ key: String) async throws -> BlobDownload? {
        try Self.validate(key)
        guard let download = try await client.getObject(bucket: bucket, key: prefix + key) else { return nil }
        let reader = BodyReader(iterator: download.body.makeAsyncIterator())
        // Pulled one buffer at a time, so a slow client slows the download from S3 too.
        let body = AsyncThrowingStream<ByteBuffer, any Error> { try await reader.next() }
        return BlobDownload(contentType: download.info.contentType ?? "application/octet-stream", size: download.info.size, body: body)
    }

    public func delete(_ key: String) async throws {
        try Self.validate(key)
        try await client.deleteObject(bucket: bucket, key: prefix + key)
    }

    public func downloadURL(_ key: String, contentDisposition: String?) async throws -> URL? {
        guard let presignedDownloads else { return nil }
        try Self.validate(key)
        return try publicClient.presignedURL(
            bucket: bucket,
            key: prefix + key,
            expires: presignedDownloads,
            responseHeaders: contentDisposition.map { [("response-content-disposition", $0)] } ?? []
        )
    }

    /// Every key under the service's prefix, through all pages of the listing.
    public func keys() async throws -> [String] {
        try await client.allKeys(bucket: bucket, prefix: prefix).map { String($0.dropFirst(prefix.count)) }
    }

    /// The bucket answers and these credentials may use it.
    public func ping() async throws {
        guard try await client.bucketExists(bucket) else {
            throw S3Error(code: .noSuchBucket, status: 404, message: "bucket \(bucket) does not exist")
        }
    }

    /// Creates the bucket when it is missing (at start; MinIO and S3 answer a bucket we own with success).
    public func ensureBucket() async throws {
        if try await !client.bucketExists(bucket) { try await client.createBucket(bucket) }
    }
}

/// Reads a response body for an `AsyncThrowingStream(unfolding:)`, which calls `next()` one
/// call after the other, never two at once: the one reason this may be `@unchecked Sendable`.
private final class BodyReader: @unchecked Sendable {
    private var iterator: HTTPClientResponse.Body.AsyncIterator

    init(iterator: HTTPClientResponse.Body.AsyncIterator) {
        self.iterator = iterator
    }

    func next() async throws -> ByteBuffer? {
        try await iterator.next()
    }
}
