import ComptoirAdapters
import ComptoirKit
import ComptoirTesting
import Foundation
import NIOCore
import Testing

/// The embedded adapters on real files: blobs round-trip and replace atomically, the cache
/// expires and evicts, mail lands as parseable .eml files.
@Suite struct EmbeddedAdapterTests {
    @Test func blobsRoundTripReplaceAndDelete() async throws {
        let directory = try TestPlatform.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try FileBlobStore(root: directory)
        let bytes = ByteBuffer(bytes: (0..<200_000).map { UInt8($0 % 256) })
        #expect(try await store.put("a/b/c.bin", contentType: "application/x-test", bytes: bytes) == 200_000)
        let download = try #require(try await store.get("a/b/c.bin"))
        var received = ByteBuffer()
        for try await chunk in download.body { received.writeImmutableBuffer(chunk) }
        #expect(received == bytes && download.contentType == "application/x-test" && download.size == 200_000)
        try await store.put("a/b/c.bin", contentType: "text/plain", bytes: ByteBuffer(string: "replaced"))
        #expect(try await store.get("a/b/c.bin")?.size == 8)
        try await store.delete("a/b/c.bin")
        #expect(try await store.get("a/b/c.bin") == nil)
        await #expect(throws: InvalidBlobKey.self) { try await store.put("../escape", contentType: "x", bytes: ByteBuffer()) }
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasPrefix(".tmp-") }
        #expect(leftovers.isEmpty)
    }

    @Test func cacheExpiresAndEvicts() async throws {
        let cache = InMemoryCache(capacity: 16)
        try await cache.set("short", value: [1], ttl: .milliseconds(50))
        try await cache.set("long", value: [2], ttl: .seconds(60))
        #expect(try await cache.get("short") == [1])
        try await Task.sleep(for: .milliseconds(80))
        #expect(try await cache.get("short") == nil)
        for index in 0..<40 { try await cache.set("k\(index)", value: [UInt8(index)], ttl: .seconds(60)) }
        #expect(cache.count <= 16)
        #expect(try await cache.get("k39") == [39], "the newest entry survives eviction")
    }

    @Test func mailIsWrittenAsMIMEFiles() async throws {
        let directory = try TestPlatform.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let mailer = try FileMailer(directory: directory)
        try await mailer.send(
            MailMessage(from: "shop@example.com", to: ["ann@example.com"], subject: "Commande confirmée", text: "Merci !", html: "<p>Merci !</p>")
        )
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        #expect(files.count == 1 && files[0].hasSuffix(".eml"))
        let contents = try String(contentsOf: directory.appendingPathComponent(files[0]), encoding: .utf8)
        #expect(contents.contains("Subject: =?UTF-8?B?"))
        #expect(contents.contains("multipart/alternative") && contents.contains("text/plain") && contents.contains("text/html"))
    }

    @Test func theSameMessageTwiceIsOneFileAndPartialFilesAreRemovedAtStart() async throws {
        let directory = try TestPlatform.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let stale = directory.appendingPathComponent(".left-by-a-crash.eml.1234.partial")
        try Data("half a mail".utf8).write(to: stale)
        let mailer = try FileMailer(directory: directory)
        #expect(!FileManager.default.fileExists(atPath: stale.path))
        let message = MailMessage(from: "shop@example.com", to: ["ann@example.com"], subject: "Sale", text: "Everything must go.")
        try await mailer.send(message)
        try await mailer.send(message)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).count == 1)
    }

    @Test func aLoadThatStartedBeforeAnInvalidationDoesNotStoreItsOldValue() async throws {
        let cache = InMemoryCache()
        guard case .miss(let before) = try await cache.lookup("product") else {
            Issue.record("expected a miss")
            return
        }
        try await cache.delete("product")  // a change committed while the first reader was loading
        try await cache.set("product", value: Array("old".utf8), ttl: .seconds(60), ifGeneration: before)
        #expect(try await cache.get("product") == nil)
        guard case .miss(let after) = try await cache.lookup("product") else {
            Issue.record("expected a miss")
            return
        }
        try await cache.set("product", value: Array("new".utf8), ttl: .seconds(60), ifGeneration: after)
        #expect(try await cache.lookup("product") == .hit(Array("new".utf8)))
        let loaded = try await cache.readThrough("other", ttl: .seconds(60)) { "from the source" }
        #expect(loaded == "from the source")
        #expect(try await cache.readThrough("other", ttl: .seconds(60)) { () -> String? in "not called" } == "from the source")
    }
}
