import ComptoirContracts
import Foundation
import JWTKit

/// Signs Comptoir tokens (EdDSA) with one key; the key id goes in the header.
public struct TokenSigner: Sendable {
    public let key: SigningKey
    private let keys: JWTKeyCollection

    public init(key: SigningKey) async {
        self.key = key
        self.keys = JWTKeyCollection()
        await keys.add(eddsa: EdDSA.PrivateKey(backing: key.privateKey), kid: JWKIdentifier(string: key.keyID))
    }

    public func sign(_ claims: AccessTokenClaims) async throws -> String {
        try await keys.sign(claims, kid: JWKIdentifier(string: key.keyID))
    }
}

/// Mints the short-lived tokens a service presents on internal calls (role `service`),
/// reusing one until it is half-way to expiry.
public actor ServiceTokenIssuer {
    private let signer: TokenSigner
    private let service: ServiceID
    private let lifetime: Duration
    private var current: (token: String, renewAt: ContinuousClock.Instant)?

    public init(signer: TokenSigner, service: ServiceID, lifetime: Duration = .seconds(60)) {
        self.signer = signer
        self.service = service
        self.lifetime = lifetime
    }

    public func token() async throws -> String {
        if let current, current.renewAt > .now { return current.token }
        let claims = AccessTokenClaims(
            subject: "service:\(service.rawValue)",
            roles: [Role.service.rawValue],
            websiteId: nil,
            sessionId: nil,
            type: "service",
            lifetime: lifetime
        )
        let token = try await signer.sign(claims)
        current = (token, .now + lifetime / 2)
        return token
    }
}
