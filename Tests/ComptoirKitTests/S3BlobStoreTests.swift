import AsyncHTTPClient
import ComptoirAdapters
import ComptoirContracts
import ComptoirKit
import ComptoirTesting
import Crypto
import Foundation
import NIOCore
import NIOHTTP1
import Testing

/// The blob store on a real S3 server (`COMPTOIR_TEST_S3_*`, as scripts/integration-test
/// starts one), through the same settings the platform reads.
@Suite(.enabled(if: TestPlatform.s3Endpoint != nil, "set COMPTOIR_TEST_S3_ENDPOINT to run against a real S3 server"))
struct S3BlobStoreTests {
    private func store(_ extra: [String: String] = [:]) async throws -> S3BlobStore {
        let configuration = try TestPlatform.configuration(
            dataDirectory: FileManager.default.temporaryDirectory,
            environment: TestPlatform.variables(extra, cluster: true).filter { $0.key.hasPrefix("COMPTOIR_S3_") }
        )
        let store = S3BlobStore(settings: try #require(try AdapterSettings(environment: configuration.environment).s3), service: .sav)
        try await store.ensureBucket()
        return store
    }

    @Test func twentyMebibytesRoundTripByteForByte() async throws {
        let store = try await store()
        var bytes = [UInt8](repeating: 0, count: 20 << 20)
        var state: UInt64 = 42
        for index in bytes.indices {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            bytes[index] = UInt8(truncatingIfNeeded: state >> 33)
        }
        let upload = AsyncStream<ByteBuffer> { continuation in
            for start in stride(from: 0, to: bytes.count, by: 100_000) {
                continuation.yield(ByteBuffer(bytes: bytes[start..<min(start + 100_000, bytes.count)]))
            }
            continuation.finish()
        }
        #expect(try await store.put("big/blob.bin", contentType: "application/octet-stream", body: upload) == Int64(bytes.count))
        let download = try #require(try await store.get("big/blob.bin"))
        #expect(download.size == Int64(bytes.count) && download.contentType == "application/octet-stream")
        var hash = SHA256()
        var received = 0
        var pieces = 0
        for try await chunk in download.body {
            received += chunk.readableBytes
            pieces += 1
            hash.update(data: Array(chunk.readableBytesView))
        }
        #expect(received == bytes.count)
        #expect(hash.finalize() == SHA256.hash(data: bytes))
        #expect(pieces > 1, "the download arrived in one piece: not streamed")
        try await store.delete("big/blob.bin")
        #expect(try await store.get("big/blob.bin") == nil)
    }

    @Test func presignedDownloadsAreShortLivedURLsOfTheStore() async throws {
        let plain = try await store()
        #expect(try await plain.downloadURL("x", contentDisposition: nil) == nil)
        let store = try await store(["COMPTOIR_S3_PRESIGNED_DOWNLOADS": "2m"])
        try await store.put("notes/a.txt", contentType: "text/plain", bytes: ByteBuffer(string: "hello"))
        let url = try #require(try await store.downloadURL("notes/a.txt", contentDisposition: "attachment; filename=\"a.txt\""))
        #expect(url.absoluteString.contains("X-Amz-Expires=120"))
        let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: url.absoluteString), timeout: .seconds(10))
        #expect(response.status.code == 200)
        #expect(String(buffer: try await response.body.collect(upTo: 1024)) == "hello")
        await #expect(throws: InvalidBlobKey.self) { try await store.downloadURL("../escape", contentDisposition: nil) }
    }

    @Test func theStoreIsReadyOnlyWithItsBucket() async throws {
        try await store().ping()
        let configuration = try TestPlatform.configuration(
            dataDirectory: FileManager.default.temporaryDirectory,
            environment: TestPlatform.variables(["COMPTOIR_S3_BUCKET": "never-created-\(UUID().uuidString.prefix(8).lowercased())"], cluster: true)
                .filter { $0.key.hasPrefix("COMPTOIR_S3_") }
        )
        await #expect(throws: (any Error).self) {
            try await S3BlobStore(settings: try #require(try AdapterSettings(environment: configuration.environment).s3), service: .sav).ping()
        }
    }
}
