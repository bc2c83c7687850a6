import Crypto
import Foundation

/// The encrypted archive format: AES-256-GCM over chunks, so that an archive of any size is
/// encrypted and checked without being held in memory.
///
/// ```
/// header  "CMPTRBK1" (8) | nonce prefix (8) | key id (8)
/// chunk   final flag (1) | ciphertext length (4, big-endian) | ciphertext | tag (16)
/// ```
/// Each chunk's nonce is the prefix followed by its index (4 bytes, big-endian), and its
/// authenticated data is the header, the index and the flag: chunks cannot be reordered, dropped,
/// or moved between archives, and an archive that stops before its final chunk is truncated.
struct ArchiveCipher {
    static let magic = Data("CMPTRBK1".utf8)
    static let chunkSize = 1 << 20
    static let headerSize = 24

    let key: ArchiveKey
    let noncePrefix: Data

    var header: Data { Self.magic + noncePrefix + Self.keyID(key) }

    static func keyID(_ key: ArchiveKey) -> Data {
        Data(
            stride(from: 0, to: key.id.count, by: 2).compactMap { offset in
                let start = key.id.index(key.id.startIndex, offsetBy: offset)
                return UInt8(key.id[start..<key.id.index(start, offsetBy: 2)], radix: 16)
            }
        )
    }

    func seal(_ plaintext: some DataProtocol, index: UInt32, final: Bool) throws -> Data {
        let sealed = try AES.GCM.seal(plaintext, using: key.key, nonce: try nonce(index), authenticating: aad(index, final: final))
        var chunk = Data([final ? 1 : 0])
        chunk.append(contentsOf: withUnsafeBytes(of: UInt32(sealed.ciphertext.count).bigEndian) { Data($0) })
        chunk.append(sealed.ciphertext)
        chunk.append(sealed.tag)
        return chunk
    }

    func open(ciphertext: Data, tag: Data, index: UInt32, final: Bool) throws -> Data {
        let box = try AES.GCM.SealedBox(nonce: try nonce(index), ciphertext: ciphertext, tag: tag)
        return try AES.GCM.open(box, using: key.key, authenticating: aad(index, final: final))
    }

    private func nonce(_ index: UInt32) throws -> AES.GCM.Nonce {
        try AES.GCM.Nonce(data: noncePrefix + withUnsafeBytes(of: index.bigEndian) { Data($0) })
    }

    private func aad(_ index: UInt32, final: Bool) -> Data {
        header + withUnsafeBytes(of: index.bigEndian) { Data($0) } + Data([final ? 1 : 0])
    }
}
