import ComptoirKit
import Foundation
import Logging
import NIOCore
import Synchronization
import Testing

/// A blob store whose deletes fail, as S3 does when it is out of reach.
private struct UndeletableBlobStore: BlobStore {
    struct Unreachable: Error {}
    func put<Body: AsyncSequence & Sendable>(_ key: String, contentType: String, body: Body) async throws -> Int64 where Body.Element == ByteBuffer {
        0
    }
    func get(_ key: String) async throws -> BlobDownload? { nil }
    func delete(_ key: String) async throws { throw Unreachable() }
    func keys() async throws -> [String] { [] }
    func ping() async throws {}
}

/// Keeps the messages and metadata logged through it.
private struct RecordingLogHandler: LogHandler {
    let records: Records
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    final class Records: Sendable {
        let lines = Mutex<[(Logger.Level, String, Logger.Metadata)]>([])
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        records.lines.withLock { $0.append((event.level, event.message.description, event.metadata ?? [:])) }
    }
}

@Suite struct BlobOrphanTests {
    @Test func anOrphanThatCannotBeDeletedIsLoggedWithItsKeyAndCounted() async throws {
        let records = RecordingLogHandler.Records()
        let logger = Logger(label: "test") { _ in RecordingLogHandler(records: records) }
        let metrics = ServiceMetrics()
        await UndeletableBlobStore().deleteOrphan("tickets/t/a", logger: logger, metrics: metrics)
        let lines = records.lines.withLock { $0 }
        #expect(lines.count == 1)
        #expect(lines.first?.0 == .error && lines.first?.2["blob_key"] == "tickets/t/a")
        #expect(String(decoding: metrics.exposition(), as: UTF8.self).contains("blob_orphans_total 1"))
    }
}
