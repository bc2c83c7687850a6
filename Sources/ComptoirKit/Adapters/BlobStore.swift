import CoreMetrics
import Foundation
import Logging
import NIOCore

/// Stores files (product images, attachments, templates): a folder in embedded mode, S3 in cluster mode.
public protocol BlobStore: Sendable {
    /// Stores the bytes of `body` under `key`, replacing any previous object, and returns its size.
    @discardableResult
    func put<Body: AsyncSequence & Sendable>(_ key: String, contentType: String, body: Body) async throws -> Int64
    where Body.Element == ByteBuffer
    /// The object's metadata and a stream of its bytes, or `nil` when there is none.
    func get(_ key: String) async throws -> BlobDownload?
    func delete(_ key: String) async throws
    /// Every key in the store, sorted (for backups).
    func keys() async throws -> [String]
    /// A URL the client may fetch the object from directly (a presigned S3 URL), answered with
    /// `contentDisposition` when given; `nil` when downloads go through the service.
    func downloadURL(_ key: String, contentDisposition: String?) async throws -> URL?
    /// Fails when the store cannot be used; for `/health/ready`.
    func ping() async throws
}

/// A stored object on its way out.
public struct BlobDownload: Sendable {
    public var contentType: String
    public var size: Int64
    public var body: AsyncThrowingStream<ByteBuffer, any Error>

    public init(contentType: String, size: Int64, body: AsyncThrowingStream<ByteBuffer, any Error>) {
        self.contentType = contentType
        self.size = size
        self.body = body
    }
}

/// A key a blob store refuses: empty, absolute, with `..` or characters outside `[A-Za-z0-9._/-]`.
public struct InvalidBlobKey: Error, Sendable {
    public let key: String
}

extension BlobStore {
    public func downloadURL(_ key: String, contentDisposition: String?) async throws -> URL? { nil }

    /// Stores a buffer already in memory.
    @discardableResult
    public func put(_ key: String, contentType: String, bytes: ByteBuffer) async throws -> Int64 {
        try await put(
            key,
            contentType: contentType,
            body: AsyncStream { continuation in
                continuation.yield(bytes)
                continuation.finish()
            }
        )
    }

    /// Deletes an object nothing refers to any more (its row was never written, or is gone). A
    /// failure does not fail the request that made the orphan: it is logged with the key, for an
    /// operator to remove, and counted in `blob_orphans_total`.
    public func deleteOrphan(_ key: String, logger: Logger, metrics: ServiceMetrics) async {
        do {
            try await delete(key)
        } catch {
            metrics.counter("blob_orphans_total").increment()
            logger.error(
                "blob left behind: nothing refers to it and it could not be deleted",
                metadata: [
                    "blob_key": .string(key), "error": .string(String(reflecting: error)),
                ]
            )
        }
    }

    public static func validate(_ key: String) throws {
        let allowed = key.utf8.allSatisfy { byte in
            (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte) || byte == 0x2E || byte == 0x2F
                || byte == 0x2D || byte == 0x5F
        }
        guard allowed, !key.isEmpty, !key.hasPrefix("/"), !key.split(separator: "/").contains("..") else { throw InvalidBlobKey(key: key) }
    }
}
