import Crypto
import Foundation

/// Where an archive's bytes go: a file, possibly through encryption.
protocol ByteSink: AnyObject {
    func write(_ bytes: some DataProtocol) throws
    /// Flushes what is buffered and closes the file; returns its size and SHA-256 (hex).
    func finish() throws -> (size: Int64, sha256: String)
}

/// Writes to a new file, hashing what reaches the disk.
final class FileSink: ByteSink {
    private let handle: FileHandle
    private var hash = SHA256()
    private var size: Int64 = 0

    init(creating url: URL) throws {
        guard FileManager.default.createFile(atPath: url.path, contents: nil) else {
            throw RecoveryError("cannot create \(url.path)")
        }
        self.handle = try FileHandle(forWritingTo: url)
    }

    func write(_ bytes: some DataProtocol) throws {
        let data = Data(bytes)
        hash.update(data: data)
        size += Int64(data.count)
        try handle.write(contentsOf: data)
    }

    func finish() throws -> (size: Int64, sha256: String) {
        try handle.synchronize()
        try handle.close()
        return (size, hash.finalize().hex)
    }
}

/// Encrypts into another sink in chunks of ``ArchiveCipher/chunkSize`` (see ``ArchiveCipher``).
final class EncryptingSink: ByteSink {
    private let base: any ByteSink
    private let cipher: ArchiveCipher
    private var buffer = Data()
    private var index: UInt32 = 0

    init(base: any ByteSink, key: ArchiveKey) throws {
        self.base = base
        self.cipher = ArchiveCipher(key: key, noncePrefix: Data((0..<8).map { _ in UInt8.random(in: 0...255) }))
        try base.write(cipher.header)
    }

    func write(_ bytes: some DataProtocol) throws {
        buffer.append(contentsOf: bytes)
        while buffer.count > ArchiveCipher.chunkSize {
            try base.write(try cipher.seal(buffer.prefix(ArchiveCipher.chunkSize), index: index, final: false))
            buffer.removeFirst(ArchiveCipher.chunkSize)
            index += 1
        }
    }

    func finish() throws -> (size: Int64, sha256: String) {
        // The last chunk is marked final, possibly empty: an archive cut at a chunk boundary still reads as truncated.
        try base.write(try cipher.seal(buffer, index: index, final: true))
        buffer.removeAll()
        return try base.finish()
    }
}

extension Digest {
    var hex: String { map { String(format: "%02x", $0) }.joined() }
}
