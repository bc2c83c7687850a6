import Crypto
import Foundation

/// The key that encrypts backup archives (`COMPTOIR_BACKUP_KEY`: 32 random bytes, base64).
///
/// Its id, the first 8 bytes of the key's SHA-256, is written in clear in every encrypted archive
/// and in the manifest, so that the wrong key is told apart from a damaged archive.
public struct ArchiveKey: Sendable {
    let key: SymmetricKey
    /// Hex of the first 8 bytes of SHA-256(key).
    public let id: String

    public init(base64: String) throws {
        guard let bytes = Data(base64Encoded: base64.trimmingCharacters(in: .whitespacesAndNewlines)), bytes.count == 32 else {
            throw RecoveryError("COMPTOIR_BACKUP_KEY must be 32 bytes in base64 (make one with `openssl rand -base64 32`)")
        }
        self.key = SymmetricKey(data: bytes)
        self.id = SHA256.hash(data: bytes).prefix(8).map { String(format: "%02x", $0) }.joined()
    }
}
