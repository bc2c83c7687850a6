import Crypto
import Foundation
import JWTKit

/// An Ed25519 key that signs tokens, with its key id (the RFC 7638 thumbprint of its public half).
public struct SigningKey: Sendable {
    public let privateKey: Curve25519.Signing.PrivateKey
    public let keyID: String

    public init(_ privateKey: Curve25519.Signing.PrivateKey) {
        self.privateKey = privateKey
        self.keyID = PublicJWK(privateKey.publicKey, keyID: "").thumbprint
    }

    /// Reads a key given as PKCS#8 PEM or as the base64url 32-byte seed.
    public init(text: String, variable: String) throws {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.hasPrefix("-----BEGIN") {
            guard let key = try? EdDSA.PrivateKey(pem: trimmed),
                let raw = try? Curve25519.Signing.PrivateKey(rawRepresentation: key.rawRepresentation)
            else { throw ConfigurationError(variable, "is not an Ed25519 private key in PEM form") }
            self.init(raw)
        } else {
            guard let seed = Base64URL.decode(trimmed), seed.count == 32, let key = try? Curve25519.Signing.PrivateKey(rawRepresentation: seed)
            else { throw ConfigurationError(variable, "must be an Ed25519 private key: PKCS#8 PEM or the base64url 32-byte seed") }
            self.init(key)
        }
    }

    /// The key from `text` when given, otherwise the one stored in `file`, created on first use
    /// (readable by the owner only).
    public static func load(text: String?, variable: String, file: URL) throws -> SigningKey {
        if let text { return try SigningKey(text: text, variable: variable) }
        if let stored = try? String(contentsOf: file, encoding: .utf8) {
            return try SigningKey(text: stored, variable: file.path)
        }
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        let key = Curve25519.Signing.PrivateKey()
        let seed = Base64URL.encode(key.rawRepresentation)
        // Created exclusively: if another process won the race, use its key.
        if FileManager.default.createFile(atPath: file.path, contents: Data(seed.utf8), attributes: [.posixPermissions: 0o600]) {
            return try SigningKey(text: String(contentsOf: file, encoding: .utf8), variable: file.path)
        }
        throw ConfigurationError(variable, "cannot write a new key to \(file.path)")
    }

    public var publicJWK: PublicJWK { PublicJWK(privateKey.publicKey, keyID: keyID) }
}

/// The public half of a signing key as a JSON Web Key (`kty: OKP`, `crv: Ed25519`).
public struct PublicJWK: Codable, Sendable, Equatable {
    public var kty = "OKP"
    public var crv = "Ed25519"
    public var x: String
    public var kid: String
    public var alg = "EdDSA"
    public var use = "sig"

    public init(_ key: Curve25519.Signing.PublicKey, keyID: String) {
        self.x = Base64URL.encode(key.rawRepresentation)
        self.kid = keyID
    }

    /// RFC 7638: SHA-256 over the required members in lexical order.
    public var thumbprint: String {
        let canonical = "{\"crv\":\"\(crv)\",\"kty\":\"\(kty)\",\"x\":\"\(x)\"}"
        return Base64URL.encode(Data(SHA256.hash(data: Data(canonical.utf8))))
    }

    public func publicKey() throws -> Curve25519.Signing.PublicKey {
        guard kty == "OKP", crv == "Ed25519", let raw = Base64URL.decode(x) else { throw JWTError.invalidJWK(reason: "not an Ed25519 key") }
        return try Curve25519.Signing.PublicKey(rawRepresentation: raw)
    }
}

/// A JSON Web Key Set as served by `GET /auth/jwks.json`.
public struct PublicJWKS: Codable, Sendable, Equatable {
    public var keys: [PublicJWK]

    public init(keys: [PublicJWK]) {
        self.keys = keys
    }
}

/// Base64url without padding (RFC 4648 §5), as JOSE uses it.
public enum Base64URL {
    public static func encode(_ data: some DataProtocol) -> String {
        Data(data).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    public static func decode(_ string: String) -> Data? {
        var base64 = string.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        return Data(base64Encoded: base64)
    }
}
