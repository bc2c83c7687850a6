import Foundation
import NIOCore
import Tracing

/// A blob store whose operations are `blob.put`, `blob.get` and `blob.delete` spans.
public struct TracedBlobStore: BlobStore {
    let inner: any BlobStore
    let telemetry: Telemetry

    public init(_ inner: any BlobStore, telemetry: Telemetry) {
        self.inner = inner
        self.telemetry = telemetry
    }

    private func traced<T>(_ operation: String, _ key: String, _ body: () async throws -> T) async throws -> T {
        try await telemetry.withSpan("blob.\(operation)", kind: .client, attributes: ["comptoir.blob.key": .string(key)]) { _ in try await body() }
    }

    @discardableResult
    public func put<Body: AsyncSequence & Sendable>(_ key: String, contentType: String, body: Body) async throws -> Int64
    where Body.Element == ByteBuffer {
        try await traced("put", key) { try await inner.put(key, contentType: contentType, body: body) }
    }

    public func get(_ key: String) async throws -> BlobDownload? {
        try await traced("get", key) { try await inner.get(key) }
    }

    public func delete(_ key: String) async throws {
        try await traced("delete", key) { try await inner.delete(key) }
    }

    public func keys() async throws -> [String] {
        try await inner.keys()
    }

    public func downloadURL(_ key: String, contentDisposition: String?) async throws -> URL? {
        try await inner.downloadURL(key, contentDisposition: contentDisposition)
    }

    public func ping() async throws {
        try await inner.ping()
    }
}
