import Foundation
import NIOCore

/// A file's bytes as an async sequence of buffers, for uploads that stream it.
struct FileChunks: AsyncSequence, Sendable {
    typealias Element = ByteBuffer
    let url: URL
    var chunkSize = 1 << 20

    struct AsyncIterator: AsyncIteratorProtocol {
        let source: FileSource
        let chunkSize: Int

        mutating func next() async throws -> ByteBuffer? {
            let data = try source.read(upTo: chunkSize)
            return data.isEmpty ? nil : ByteBuffer(bytes: data)
        }
    }

    func makeAsyncIterator() -> AsyncIterator {
        // A file that cannot be opened yields an error at the first `next()`, from a source that fails.
        AsyncIterator(source: (try? FileSource(url)) ?? FileSource.failing(url), chunkSize: chunkSize)
    }

    /// Writes what `body` yields into a new file at `url` and returns its size.
    static func write<Body: AsyncSequence>(_ body: Body, to url: URL) async throws -> Int64 where Body.Element == ByteBuffer {
        let sink = try FileSink(creating: url)
        for try await buffer in body { try sink.write(buffer.readableBytesView) }
        return try sink.finish().size
    }
}
