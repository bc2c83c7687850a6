import Crypto
import Foundation

/// Where an archive's bytes come from: a file, possibly through decryption.
protocol ByteSource: AnyObject {
    /// Up to `count` bytes; empty only at the end.
    func read(upTo count: Int) throws -> Data
}

/// Reads a file. Used by one reader at a time (an archive being extracted, an upload), hence unchecked.
final class FileSource: ByteSource, @unchecked Sendable {
    private let handle: FileHandle?
    private let url: URL

    init(_ url: URL) throws {
        self.handle = try FileHandle(forReadingFrom: url)
        self.url = url
    }

    private init(failing url: URL) {
        self.handle = nil
        self.url = url
    }

    /// A source whose every read fails: the file at `url` could not be opened.
    static func failing(_ url: URL) -> FileSource { FileSource(failing: url) }

    deinit { try? handle?.close() }

    func read(upTo count: Int) throws -> Data {
        guard let handle else { throw RecoveryError("cannot open \(url.path)") }
        return try handle.read(upToCount: count) ?? Data()
    }

    /// Exactly `count` bytes, or fewer at the end of the file.
    func readFully(_ count: Int) throws -> Data {
        var data = Data()
        while data.count < count {
            let more = try read(upTo: count - data.count)
            if more.isEmpty { break }
            data.append(more)
        }
        return data
    }
}

/// Decrypts an archive written by ``EncryptingSink``; `name` appears in its errors.
final class DecryptingSource: ByteSource {
    private let base: FileSource
    private let cipher: ArchiveCipher
    private let name: String
    private var plaintext = Data()
    private var index: UInt32 = 0
    private var ended = false

    init(_ url: URL, key: ArchiveKey, name: String) throws {
        let base = try FileSource(url)
        self.base = base
        self.name = name
        let header = try base.readFully(ArchiveCipher.headerSize)
        guard header.count == ArchiveCipher.headerSize, header.prefix(8) == ArchiveCipher.magic else {
            throw RecoveryError("\(name) is not an encrypted Comptoir archive")
        }
        let cipher = ArchiveCipher(key: key, noncePrefix: header.subdata(in: 8..<16))
        guard header.subdata(in: 16..<24) == ArchiveCipher.keyID(key) else {
            let found = header.subdata(in: 16..<24).map { String(format: "%02x", $0) }.joined()
            throw RecoveryError("\(name) was encrypted with another key (id \(found)); COMPTOIR_BACKUP_KEY has id \(key.id)")
        }
        self.cipher = cipher
    }

    func read(upTo count: Int) throws -> Data {
        while plaintext.isEmpty && !ended { try openNextChunk() }
        let taken = plaintext.prefix(count)
        plaintext.removeFirst(taken.count)
        return Data(taken)
    }

    private func openNextChunk() throws {
        let head = try base.readFully(5)
        guard head.count == 5 else { throw RecoveryError("\(name) is truncated: it ends before its last encrypted chunk") }
        let final = head[head.startIndex] == 1
        let length = head.dropFirst().reduce(0) { $0 << 8 | Int($1) }
        guard length <= ArchiveCipher.chunkSize else { throw RecoveryError("\(name) is damaged: chunk \(index) claims \(length) bytes") }
        let body = try base.readFully(length + 16)
        guard body.count == length + 16 else { throw RecoveryError("\(name) is truncated inside chunk \(index)") }
        do {
            plaintext = try cipher.open(ciphertext: body.prefix(length), tag: body.suffix(16), index: index, final: final)
        } catch {
            throw RecoveryError("\(name) is damaged: chunk \(index) fails its authentication")
        }
        index += 1
        if final {
            guard try base.read(upTo: 1).isEmpty else { throw RecoveryError("\(name) has bytes after its last chunk") }
            ended = true
        }
    }
}
