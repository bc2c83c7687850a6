import Foundation
import NIOCore
import NIOPosix

#if canImport(Glibc)
import Glibc
#endif

/// The embedded blob store: one file per object under a folder, with a `.meta` file holding its
/// content type. Writes go to a temporary file renamed into place, so a crash never leaves half
/// an object under the key. Disk I/O runs on NIO's thread pool, off the async executors.
public struct FileBlobStore: BlobStore {
    public let root: URL
    private let threadPool: NIOThreadPool
    static let chunkSize = 64 * 1024

    public init(root: URL, threadPool: NIOThreadPool = .singleton) throws {
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        self.root = root
        self.threadPool = threadPool
    }

    public func put<Body: AsyncSequence & Sendable>(_ key: String, contentType: String, body: Body) async throws -> Int64
    where Body.Element == ByteBuffer {
        try Self.validate(key)
        let target = root.appendingPathComponent(key)
        let temporary = root.appendingPathComponent(".tmp-\(UUID().uuidString)")
        let handle = try await threadPool.runIfActive {
            try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
            guard FileManager.default.createFile(atPath: temporary.path, contents: nil) else { throw CocoaError(.fileWriteUnknown) }
            return try FileHandle(forWritingTo: temporary)
        }
        var size: Int64 = 0
        do {
            for try await chunk in body {
                size += Int64(chunk.readableBytes)
                let bytes = Data(chunk.readableBytesView)
                try await threadPool.runIfActive { try handle.write(contentsOf: bytes) }
            }
            try await threadPool.runIfActive {
                try handle.synchronize()
                try handle.close()
                try Data(contentType.utf8).write(to: Self.metaURL(target), options: .atomic)
                // rename(2) replaces the target atomically: readers see the old or the new object, never half.
                guard rename(temporary.path, target.path) == 0 else { throw CocoaError(.fileWriteUnknown) }
            }
        } catch {
            try? handle.close()
            try? FileManager.default.removeItem(at: temporary)
            throw error
        }
        return size
    }

    public func get(_ key: String) async throws -> BlobDownload? {
        try Self.validate(key)
        let target = root.appendingPathComponent(key)
        let opened: (FileHandle, Int64, String)? = try await threadPool.runIfActive {
            guard let handle = try? FileHandle(forReadingFrom: target) else { return nil }
            let size = try handle.seekToEnd()
            try handle.seek(toOffset: 0)
            let contentType = (try? String(contentsOf: Self.metaURL(target), encoding: .utf8)) ?? "application/octet-stream"
            return (handle, Int64(size), contentType)
        }
        guard let (handle, size, contentType) = opened else { return nil }
        let threadPool = self.threadPool
        let stream = AsyncThrowingStream<ByteBuffer, any Error> { continuation in
            let reader = Task {
                defer { try? handle.close() }
                do {
                    while !Task.isCancelled {
                        let data = try await threadPool.runIfActive { try handle.read(upToCount: Self.chunkSize) ?? Data() }
                        if data.isEmpty { break }
                        continuation.yield(ByteBuffer(bytes: data))
                    }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in reader.cancel() }
        }
        return BlobDownload(contentType: contentType, size: size, body: stream)
    }

    public func delete(_ key: String) async throws {
        try Self.validate(key)
        let target = root.appendingPathComponent(key)
        try await threadPool.runIfActive {
            try? FileManager.default.removeItem(at: target)
            try? FileManager.default.removeItem(at: Self.metaURL(target))
        }
    }

    /// Every object's path under the root; the `.meta` files and temporary files start with a dot.
    public func keys() async throws -> [String] {
        let root = self.root.standardizedFileURL.path
        return try await threadPool.runIfActive {
            guard let walker = FileManager.default.enumerator(atPath: root) else { return [] }
            var keys: [String] = []
            while let path = walker.nextObject() as? String {
                let name = (path as NSString).lastPathComponent
                var isFolder: ObjCBool = false
                guard !name.hasPrefix("."), FileManager.default.fileExists(atPath: root + "/" + path, isDirectory: &isFolder), !isFolder.boolValue
                else { continue }
                keys.append(path)
            }
            return keys.sorted()
        }
    }

    public func ping() async throws {
        guard FileManager.default.isWritableFile(atPath: root.path) else { throw CocoaError(.fileWriteNoPermission) }
    }

    static func metaURL(_ target: URL) -> URL {
        target.deletingLastPathComponent().appendingPathComponent("." + target.lastPathComponent + ".meta")
    }
}
