import Crypto
import Foundation

/// A token for a link in a mail (confirm a subscription, unsubscribe): what it is for, the
/// address, the store and an expiry, signed with an Ed25519 key, so that it cannot be forged,
/// reused for another purpose or address, or used after it expires. Nothing is stored.
///
/// Form: `base64url(JSON claims) "." base64url(signature)`.
public struct LinkToken: Codable, Sendable, Equatable {
    /// `confirm` or `unsubscribe`.
    public var purpose: String
    public var email: String
    public var websiteId: UUID
    public var expiresAt: Date

    enum CodingKeys: String, CodingKey {
        case purpose = "p"
        case email = "e"
        case websiteId = "w"
        case expiresAt = "x"
    }

    public init(purpose: String, email: String, websiteId: UUID, expiresAt: Date) {
        self.purpose = purpose
        self.email = email
        self.websiteId = websiteId
        self.expiresAt = expiresAt
    }

    /// Why a token is refused.
    public enum Rejection: Error, Equatable, Sendable {
        case malformed, forged, wrongPurpose, expired
    }

    public func signed(with key: SigningKey) throws -> String {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .secondsSince1970
        let claims = try encoder.encode(self)
        let signature = try key.privateKey.signature(for: claims)
        return Base64URL.encode(claims) + "." + Base64URL.encode(signature)
    }

    /// The token's claims if the signature is `key`'s, the purpose is `purpose` and it has not expired.
    public static func verify(_ token: String, purpose: String, key: SigningKey, now: Date = Date()) throws(Rejection) -> LinkToken {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard token.count <= 2048, parts.count == 2, let claims = Base64URL.decode(String(parts[0])),
            let signature = Base64URL.decode(String(parts[1]))
        else { throw .malformed }
        guard key.privateKey.publicKey.isValidSignature(signature, for: claims) else { throw .forged }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .secondsSince1970
        guard let decoded = try? decoder.decode(LinkToken.self, from: claims) else { throw .malformed }
        guard decoded.purpose == purpose else { throw .wrongPurpose }
        guard decoded.expiresAt > now else { throw .expired }
        return decoded
    }
}
