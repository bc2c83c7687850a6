import ComptoirContracts
import ComptoirKit
import Crypto
import Foundation
import Hummingbird
import HummingbirdTesting
import JWTKit
import Logging
import Testing

/// Forged, expired, `alg: none` and mis-typed tokens are refused; good ones become principals.
@Suite struct TokenVerifierTests {
    let userKey = SigningKey(Curve25519.Signing.PrivateKey())
    let serviceKey = SigningKey(Curve25519.Signing.PrivateKey())

    func verifier() async throws -> TokenVerifier {
        try await TokenVerifier(userKeys: [userKey.publicJWK], serviceKey: serviceKey.publicJWK, jwksURL: nil, logger: Logger(label: "test"))
    }

    func claims(roles: [String] = ["customer"], type: String = "access", lifetime: Duration = .seconds(60), now: Date = Date()) -> AccessTokenClaims {
        AccessTokenClaims(subject: UUID().uuidString, roles: roles, websiteId: nil, sessionId: UUID(), type: type, lifetime: lifetime, now: now)
    }

    func isRefused(_ token: String) async throws -> Bool {
        do {
            _ = try await verifier().verify(token)
            return false
        } catch let error as ProblemError {
            return error.problem.status == 401
        }
    }

    @Test func validTokenGivesThePrincipal() async throws {
        let token = try await TokenSigner(key: userKey).sign(claims(roles: ["customer", "support"]))
        let principal = try await verifier().verify(token)
        #expect(principal.roles == [.customer, .support])
        #expect(principal.userId != nil && principal.sessionId != nil)
    }

    @Test func expiredTokenIsRefused() async throws {
        let token = try await TokenSigner(key: userKey).sign(claims(lifetime: .seconds(60), now: Date().addingTimeInterval(-3600)))
        #expect(try await isRefused(token))
    }

    @Test func tokenSignedByAnotherKeyWithTheSameKidIsRefused() async throws {
        let forger = SigningKey(Curve25519.Signing.PrivateKey())
        let keys = JWTKeyCollection()
        await keys.add(eddsa: EdDSA.PrivateKey(backing: forger.privateKey), kid: JWKIdentifier(string: userKey.keyID))
        let forged = try await keys.sign(claims(roles: ["admin"]), kid: JWKIdentifier(string: userKey.keyID))
        #expect(try await isRefused(forged))
    }

    @Test func algNoneIsRefused() async throws {
        let header = Base64URL.encode(Data(#"{"alg":"none","typ":"JWT","kid":"\#(userKey.keyID)"}"#.utf8))
        let payload = Base64URL.encode(try JSONEncoder().encode(claims(roles: ["admin"])))
        #expect(try await isRefused("\(header).\(payload)."))
    }

    @Test func tamperedPayloadIsRefused() async throws {
        let token = try await TokenSigner(key: userKey).sign(claims())
        let parts = token.split(separator: ".").map(String.init)
        let payload = Base64URL.encode(try JSONEncoder().encode(claims(roles: ["admin"])))
        #expect(try await isRefused("\(parts[0]).\(payload).\(parts[2])"))
    }

    @Test func garbageIsRefused() async throws {
        #expect(try await isRefused("not-a-token"))
        #expect(try await isRefused(""))
        #expect(try await isRefused(String(repeating: "a.", count: 5000)))
    }

    /// Claims are decoded before the signature is checked: absurd times must be refused, not trapped on.
    @Test func absurdTimeClaimsAreRefused() async throws {
        let header = Base64URL.encode(Data(#"{"alg":"EdDSA","typ":"JWT","kid":"\#(userKey.keyID)"}"#.utf8))
        let signature = Base64URL.encode(Data(repeating: 7, count: 64))
        for times in [#""exp":1e308,"iat":-1e308"#, #""exp":1e400,"iat":0"#, #""exp":-9223372036854775809,"iat":1"#, #""exp":"soon","iat":1"#] {
            let claims = #"{"sub":"\#(UUID().uuidString)","iss":"comptoir",\#(times),"jti":"j","roles":["admin"],"typ":"access"}"#
            #expect(try await isRefused("\(header).\(Base64URL.encode(Data(claims.utf8))).\(signature)"), "\(times)")
        }
    }

    @Test func serviceTokensCarryOnlyTheServiceRole() async throws {
        let issued = try await ServiceTokenIssuer(signer: TokenSigner(key: serviceKey), service: .orders).token()
        let principal = try await verifier().verify(issued)
        #expect(principal.roles == [.service] && principal.userId == nil)
        // The service key cannot mint user powers, and a user key cannot mint a service token.
        let escalated = try await TokenSigner(key: serviceKey).sign(claims(roles: ["admin"], type: "service"))
        #expect(try await isRefused(escalated))
        let userMinted = try await TokenSigner(key: userKey).sign(claims(roles: ["service"], type: "service"))
        #expect(try await isRefused(userMinted))
    }

    /// A verified token is remembered until it expires, not after.
    @Test func aRememberedTokenIsRefusedOnceExpired() async throws {
        let verifier = try await verifier()
        let token = try await TokenSigner(key: userKey).sign(claims(lifetime: .seconds(1)))
        _ = try await verifier.verify(token)
        try await Task.sleep(for: .milliseconds(2100))
        await #expect(throws: ProblemError.self) { _ = try await verifier.verify(token) }
    }

    /// Remembering a token's signature does not remember that its session was alive.
    @Test func aRememberedTokenOfARevokedSessionIsRefused() async throws {
        let revocations = InMemorySessionRevocationList()
        let verifier = try await TokenVerifier(
            userKeys: [userKey.publicJWK],
            serviceKey: nil,
            jwksURL: nil,
            revocations: revocations,
            logger: Logger(label: "test")
        )
        let claims = claims()
        let token = try await TokenSigner(key: userKey).sign(claims)
        _ = try await verifier.verify(token)
        try await revocations.revoke([try #require(claims.sid.flatMap(UUID.init(uuidString:)))], for: .seconds(60))
        await #expect(throws: ProblemError.self) { _ = try await verifier.verify(token) }
    }

    /// Requests that arrive while the first key fetch is under way wait for it (they were 401s).
    @Test func requestsDuringTheFirstKeyFetchWaitForIt() async throws {
        let router = Router()
        let keys = PublicJWKS(keys: [userKey.publicJWK])
        router.get("/jwks.json") { _, _ -> Response in
            try await Task.sleep(for: .milliseconds(300))
            return Response(status: .ok, body: .init(byteBuffer: ByteBuffer(bytes: try JSONEncoder().encode(keys))))
        }
        try await Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0))).test(.live) { client in
            let port = try #require(client.port)
            let url = try #require(URL(string: "http://127.0.0.1:\(port)/jwks.json"))
            let verifier = try await TokenVerifier(userKeys: [], serviceKey: nil, jwksURL: url, logger: Logger(label: "test"))
            let token = try await TokenSigner(key: userKey).sign(claims())
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<8 { group.addTask { _ = try await verifier.verify(token) } }
                try await group.waitForAll()
            }
        }
    }

    @Test func adminHasEveryRoleButService() {
        let admin = Principal(userId: UUID(), roles: [.admin], token: "")
        #expect(admin.has(.support) && admin.has(.catalog) && !admin.has(.service))
        let customer = Principal(userId: UUID(), roles: [.customer], token: "")
        #expect(!customer.has(.admin))
    }
}
