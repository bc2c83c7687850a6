import Crypto
import Foundation

/// Reads a tar written by ``TarWriter`` and extracts its parts into a folder, checking each one
/// against the manifest as it comes: a part missing, extra, of the wrong size or hash, or an
/// archive that ends early is an error naming the archive and the part.
struct TarReader {
    let source: any ByteSource
    /// The archive's name in errors (`orders.tar`).
    let name: String

    /// Extracts every part into `folder` (part names become relative paths) and returns them.
    func extract(into folder: URL, expecting expected: [BackupManifest.Part]) throws -> [BackupManifest.Part] {
        let byName = Dictionary(expected.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        var found: [BackupManifest.Part] = []
        var longName: String?
        while true {
            let block = try readExactly(512, what: "a header")
            if block.allSatisfy({ $0 == 0 }) { break }
            guard Self.checksumMatches(block) else {
                throw RecoveryError("\(name) is damaged: a header fails its checksum after \(found.count) parts")
            }
            let size = try Self.octal(block.subdata(in: 124..<136), archive: name)
            let type = block[156]
            if type == UInt8(ascii: "x") {
                let record = try readExactly(Int(size), what: "a pax header")
                try skipPadding(size)
                longName = Self.paxPath(record)
                continue
            }
            let partName = longName ?? String(decoding: block.prefix(100).prefix { $0 != 0 }, as: UTF8.self)
            longName = nil
            guard type == UInt8(ascii: "0") || type == 0 else {
                try skip(size)
                continue
            }
            guard let part = byName[partName] else { throw RecoveryError("\(name) holds a part the manifest does not list: \(partName)") }
            guard !partName.split(separator: "/").contains(".."), !partName.hasPrefix("/") else {
                throw RecoveryError("\(name) holds a part with an unsafe path: \(partName)")
            }
            let target = folder.appendingPathComponent(partName)
            try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
            let sink = try FileSink(creating: target)
            var remaining = size
            while remaining > 0 {
                let chunk = try source.read(upTo: Int(min(remaining, 1 << 20)))
                guard !chunk.isEmpty else {
                    throw RecoveryError("\(name) is truncated: part \(partName) stops after \(size - remaining) of \(size) bytes")
                }
                try sink.write(chunk)
                remaining -= Int64(chunk.count)
            }
            let written = try sink.finish()
            try skipPadding(size)
            guard written.size == part.size, written.sha256 == part.sha256 else {
                throw RecoveryError("\(name): part \(partName) does not match its checksum in the manifest (damaged archive)")
            }
            found.append(part)
        }
        let missing = Set(byName.keys).subtracting(found.map(\.name))
        guard missing.isEmpty else {
            throw RecoveryError("\(name) lacks parts the manifest lists: \(missing.sorted().prefix(5).joined(separator: ", "))")
        }
        return found
    }

    private func readExactly(_ count: Int, what: String) throws -> Data {
        var data = Data()
        while data.count < count {
            let more = try source.read(upTo: count - data.count)
            guard !more.isEmpty else { throw RecoveryError("\(name) is truncated: it ends inside \(what)") }
            data.append(more)
        }
        return data
    }

    private func skip(_ size: Int64) throws {
        var remaining = size
        while remaining > 0 {
            let chunk = try source.read(upTo: Int(min(remaining, 1 << 20)))
            guard !chunk.isEmpty else { throw RecoveryError("\(name) is truncated") }
            remaining -= Int64(chunk.count)
        }
        try skipPadding(size)
    }

    private func skipPadding(_ size: Int64) throws {
        let remainder = Int(size % 512)
        if remainder != 0 { _ = try readExactly(512 - remainder, what: "padding") }
    }

    static func checksumMatches(_ block: Data) -> Bool {
        var copy = [UInt8](block)
        for index in 148..<156 { copy[index] = 0x20 }
        let sum = copy.reduce(0) { $0 + Int64($1) }
        let recorded = block.subdata(in: 148..<156).prefix { $0 != 0 && $0 != 0x20 }
        return Int64(String(decoding: recorded, as: UTF8.self), radix: 8) == sum
    }

    static func octal(_ field: Data, archive: String) throws -> Int64 {
        let digits = String(decoding: field.prefix { $0 != 0 && $0 != 0x20 }, as: UTF8.self)
        guard let value = Int64(digits.isEmpty ? "0" : digits, radix: 8), value >= 0 else {
            throw RecoveryError("\(archive) is damaged: a header's size is not a number")
        }
        return value
    }

    /// The `path` of a pax record set.
    static func paxPath(_ record: Data) -> String? {
        for line in String(decoding: record, as: UTF8.self).split(separator: "\n") {
            guard let space = line.firstIndex(of: " ") else { continue }
            let pair = line[line.index(after: space)...]
            if pair.hasPrefix("path=") { return String(pair.dropFirst(5)) }
        }
        return nil
    }
}
