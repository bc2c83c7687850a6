import AsyncHTTPClient
import Crypto
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import S3
import Testing

/// The S3 server of the tests: `COMPTOIR_TEST_S3_ENDPOINT` with `COMPTOIR_TEST_S3_ACCESS_KEY`,
/// `COMPTOIR_TEST_S3_SECRET_KEY` and `COMPTOIR_TEST_S3_REGION` (scripts/integration-test starts
/// one that checks signatures).
enum TestS3 {
    static let environment = ProcessInfo.processInfo.environment
    static let endpoint = environment["COMPTOIR_TEST_S3_ENDPOINT"].flatMap { $0.isEmpty ? nil : URL(string: $0) }

    static func configuration(secret: String? = nil, partSize: Int = 8 << 20) -> S3Configuration {
        S3Configuration(
            endpoint: endpoint!,
            region: environment["COMPTOIR_TEST_S3_REGION"] ?? "us-east-1",
            credentials: S3Credentials(
                accessKey: environment["COMPTOIR_TEST_S3_ACCESS_KEY"] ?? "",
                secretKey: secret ?? environment["COMPTOIR_TEST_S3_SECRET_KEY"] ?? ""
            ),
            partSize: partSize
        )
    }

    /// A bucket of its own per test run.
    static func bucket() -> String { "s3test-" + UUID().uuidString.prefix(8).lowercased() }
}

/// Bytes that are not all alike, without the cost of a random generator per byte.
func pseudoRandomBytes(_ count: Int, seed: UInt64) -> [UInt8] {
    var state = seed
    return (0..<count).map { _ in
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return UInt8(truncatingIfNeeded: state >> 33)
    }
}

/// Chunks of `bytes`, as a request body arrives.
func chunks(of bytes: [UInt8], size: Int = 64 * 1024) -> AsyncStream<ByteBuffer> {
    AsyncStream { continuation in
        for start in stride(from: 0, to: bytes.count, by: size) {
            continuation.yield(ByteBuffer(bytes: bytes[start..<min(start + size, bytes.count)]))
        }
        continuation.finish()
    }
}

@Suite(.enabled(if: TestS3.endpoint != nil, "set COMPTOIR_TEST_S3_ENDPOINT to run against a real S3 server"))
struct S3ClientTests {
    let client = S3Client(configuration: TestS3.configuration(), logger: Logger(label: "s3-test"))

    private func withBucket(_ body: (String) async throws -> Void) async throws {
        let bucket = TestS3.bucket()
        try await client.createBucket(bucket)
        try await body(bucket)
    }

    @Test func objectsGoUpComeBackAndGo() async throws {
        try await withBucket { bucket in
            try await client.createBucket(bucket)  // a bucket we own already is no error
            #expect(try await client.bucketExists(bucket))
            let put = try await client.putObject(
                bucket: bucket,
                key: "notes/é café.txt",
                contentType: "text/plain",
                bytes: ByteBuffer(string: "0123456789abcdef")
            )
            #expect(put.size == 16)
            let head = try #require(try await client.headObject(bucket: bucket, key: "notes/é café.txt"))
            #expect(head.size == 16 && head.contentType == "text/plain")
            let whole = try #require(try await client.getObject(bucket: bucket, key: "notes/é café.txt"))
            #expect(String(buffer: try await whole.body.collect(upTo: 1024)) == "0123456789abcdef")
            let range = try #require(try await client.getObject(bucket: bucket, key: "notes/é café.txt", range: 4...9))
            #expect(String(buffer: try await range.body.collect(upTo: 1024)) == "456789")
            #expect(range.info.size == 6 && range.totalSize == 16)
            try await client.deleteObject(bucket: bucket, key: "notes/é café.txt")
            #expect(try await client.getObject(bucket: bucket, key: "notes/é café.txt") == nil)
            #expect(try await client.headObject(bucket: bucket, key: "notes/é café.txt") == nil)
            try await client.deleteObject(bucket: bucket, key: "notes/é café.txt")  // gone already: no error
        }
    }

    @Test func listingsArePagedAndFilteredByPrefix() async throws {
        try await withBucket { bucket in
            for key in ["a/1", "a/2", "a/3", "b/1"] {
                try await client.putObject(bucket: bucket, key: key, contentType: "text/plain", bytes: ByteBuffer(string: key))
            }
            var keys: [String] = []
            var token: String?
            var pages = 0
            repeat {
                let page = try await client.listObjects(bucket: bucket, prefix: "a/", continuationToken: token, maxKeys: 2)
                keys += page.objects.map(\.key)
                token = page.nextContinuationToken
                pages += 1
            } while token != nil && pages < 10
            #expect(keys == ["a/1", "a/2", "a/3"])
            #expect(pages == 2)
        }
    }

    @Test func largeObjectsGoUpInPartsAndStreamDown() async throws {
        let client = S3Client(configuration: TestS3.configuration(partSize: 5 << 20))
        let bytes = pseudoRandomBytes(11 << 20 + 12_345, seed: 7)
        try await withBucket { bucket in
            let put = try await client.putObject(bucket: bucket, key: "big.bin", contentType: "application/octet-stream", body: chunks(of: bytes))
            #expect(put.size == Int64(bytes.count))
            let download = try #require(try await client.getObject(bucket: bucket, key: "big.bin"))
            #expect(download.totalSize == Int64(bytes.count))
            var hash = SHA256()
            var received = 0
            for try await chunk in download.body {
                received += chunk.readableBytes
                hash.update(data: Array(chunk.readableBytesView))
            }
            #expect(received == bytes.count)
            #expect(hash.finalize() == SHA256.hash(data: bytes))
        }
    }

    @Test func aWrongSecretIsRefused() async throws {
        try await withBucket { bucket in
            let impostor = S3Client(configuration: TestS3.configuration(secret: "not-the-secret"))
            do {
                try await impostor.putObject(bucket: bucket, key: "x", contentType: "text/plain", bytes: ByteBuffer(string: "x"))
                Issue.record("a wrong secret was accepted")
            } catch let error as S3Error {
                #expect(error.status == 403, "\(error)")
                #expect(error.code == .signatureDoesNotMatch || error.code == .accessDenied || error.code == .invalidAccessKeyId, "\(error)")
            }
            #expect(try await client.headObject(bucket: bucket, key: "x") == nil)
        }
    }

    @Test func presignedURLsWorkWithoutCredentialsAndOnlyAsSigned() async throws {
        try await withBucket { bucket in
            try await client.putObject(bucket: bucket, key: "shared/report.txt", contentType: "text/plain", bytes: ByteBuffer(string: "quarterly"))
            let url = try client.presignedURL(bucket: bucket, key: "shared/report.txt", expires: .seconds(300))
            let fetched = try await HTTPClient.shared.execute(HTTPClientRequest(url: url.absoluteString), timeout: .seconds(10))
            #expect(fetched.status.code == 200)
            #expect(String(buffer: try await fetched.body.collect(upTo: 1024)) == "quarterly")
            let tampered = url.absoluteString.replacingOccurrences(of: "report.txt", with: "other.txt")
            let refused = try await HTTPClient.shared.execute(HTTPClientRequest(url: tampered), timeout: .seconds(10))
            #expect(refused.status.code == 403)
            _ = try? await refused.body.collect(upTo: 1 << 20)
        }
    }

    @Test func missingBucketsAreTypedErrors() async throws {
        do {
            _ = try await client.getObject(bucket: "s3test-missing-" + UUID().uuidString.prefix(8).lowercased(), key: "x")
            Issue.record("a missing bucket answered")
        } catch let error as S3Error {
            #expect(error.code == .noSuchBucket, "\(error)")
            #expect(error.status == 404)
        }
    }
}
