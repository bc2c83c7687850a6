import Foundation
import JWTKit

/// The claims of Comptoir's access and service tokens.
public struct AccessTokenClaims: JWTPayload, Equatable {
    public static let issuer = "comptoir"

    public var sub: SubjectClaim
    public var iss: IssuerClaim
    public var iat: IssuedAtClaim
    public var exp: ExpirationClaim
    public var jti: IDClaim
    public var roles: [String]
    /// Website the user belongs to.
    public var wid: String?
    /// Session (refresh-token family) id.
    public var sid: String?
    /// `access` for users, `service` for internal calls.
    public var typ: String

    public init(subject: String, roles: [String], websiteId: UUID?, sessionId: UUID?, type: String, lifetime: Duration, now: Date = Date()) {
        self.sub = SubjectClaim(value: subject)
        self.iss = IssuerClaim(value: Self.issuer)
        self.iat = IssuedAtClaim(value: now)
        self.exp = ExpirationClaim(value: now.addingTimeInterval(Double(lifetime.components.seconds)))
        self.jti = IDClaim(value: UUID().uuidString)
        self.roles = roles
        self.wid = websiteId?.uuidString
        self.sid = sessionId?.uuidString
        self.typ = type
    }

    public func verify(using algorithm: some JWTAlgorithm) async throws {
        try exp.verifyNotExpired()
        guard iss.value == Self.issuer else { throw JWTError.claimVerificationFailure(failedClaim: iss, reason: "unknown issuer") }
    }
}
