import Crypto
import Foundation

/// Writes a POSIX tar (ustar, with a pax `path` record for names over 100 bytes) into a sink,
/// hashing each part as it goes: `tar -tf` lists a plain archive, and the manifest records
/// every part's size and SHA-256.
final class TarWriter {
    private let sink: any ByteSink
    private(set) var parts: [BackupManifest.Part] = []

    init(sink: any ByteSink) {
        self.sink = sink
    }

    /// Adds the file at `url` as `name`.
    func add(_ name: String, file url: URL) throws {
        let source = try FileSource(url)
        let size = try FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int64 ?? 0
        try writeHeader(name, size: size)
        var hash = SHA256()
        var written: Int64 = 0
        while true {
            let chunk = try source.read(upTo: 1 << 20)
            if chunk.isEmpty { break }
            hash.update(data: chunk)
            written += Int64(chunk.count)
            try sink.write(chunk)
        }
        // A file that grew or shrank while being read would leave a torn archive: refuse it.
        guard written == size else { throw RecoveryError("\(url.path) changed size while it was archived") }
        try pad(size)
        parts.append(.init(name: name, size: size, sha256: hash.finalize().hex))
    }

    /// Adds `data` as `name`.
    func add(_ name: String, data: Data) throws {
        try writeHeader(name, size: Int64(data.count))
        try sink.write(data)
        try pad(Int64(data.count))
        parts.append(.init(name: name, size: Int64(data.count), sha256: SHA256.hash(data: data).hex))
    }

    /// Writes the two zero blocks that end a tar, and closes the sink.
    func finish() throws -> (size: Int64, sha256: String) {
        try sink.write(Data(count: 1024))
        return try sink.finish()
    }

    private func writeHeader(_ name: String, size: Int64) throws {
        let bytes = Array(name.utf8)
        if bytes.count > 100 {
            // A pax extended header carries the long name; the ustar name field holds a truncation.
            let record = Self.paxRecord("path", name)
            try sink.write(Self.header(name: Array("PaxHeader/".utf8 + bytes.suffix(90)), size: Int64(record.count), type: "x"))
            try sink.write(record)
            try pad(Int64(record.count))
        }
        try sink.write(Self.header(name: Array(bytes.prefix(100)), size: size, type: "0"))
    }

    private func pad(_ size: Int64) throws {
        let remainder = Int(size % 512)
        if remainder != 0 { try sink.write(Data(count: 512 - remainder)) }
    }

    /// `"<length> <key>=<value>\n"`, where the length counts itself.
    static func paxRecord(_ key: String, _ value: String) -> Data {
        let body = " \(key)=\(value)\n"
        var length = body.utf8.count + 1
        while String(length).count + body.utf8.count != length { length += 1 }
        return Data((String(length) + body).utf8)
    }

    static func header(name: [UInt8], size: Int64, type: Character) -> Data {
        var block = [UInt8](repeating: 0, count: 512)
        func put(_ bytes: [UInt8], at offset: Int) {
            for (index, byte) in bytes.enumerated() { block[offset + index] = byte }
        }
        func octal(_ value: Int64, width: Int) -> [UInt8] {
            Array(String(String(value, radix: 8).suffix(width - 1)).leftPadded(to: width - 1).utf8) + [0]
        }
        put(name, at: 0)
        put(octal(0o644, width: 8), at: 100)
        put(octal(10001, width: 8), at: 108)
        put(octal(10001, width: 8), at: 116)
        put(octal(size, width: 12), at: 124)
        put(octal(Int64(Date().timeIntervalSince1970), width: 12), at: 136)
        put(Array(repeating: 0x20, count: 8), at: 148)
        put([type.asciiValue ?? 0x30], at: 156)
        put(Array("ustar\u{0}00".utf8), at: 257)
        let checksum = block.reduce(0) { $0 + Int64($1) }
        put(Array(String(String(checksum, radix: 8)).leftPadded(to: 6).utf8) + [0, 0x20], at: 148)
        return Data(block)
    }
}

extension String {
    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
