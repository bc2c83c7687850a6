import AsyncHTTPClient
import ComptoirContracts
import Foundation
import HTTPTypes
import JWTKit
import Logging
import NIOCore
import NIOFoundationEssentialsCompat
import NIOHTTP1

/// Verifies bearer tokens and turns them into a ``Principal``.
///
/// User tokens are checked against auth's public keys (given in configuration, or fetched from
/// auth's JWKS route and fetched again when a token names a key id not seen yet, at most every
/// 10 s); service tokens against the internal service key, which may only carry role `service`.
/// `alg: none`, HMAC and every other algorithm are refused because no such key is registered.
public actor TokenVerifier {
    private let userKeys = JWTKeyCollection()
    private let serviceKeys = JWTKeyCollection()
    private var userKeyIDs: Set<String> = []
    private let serviceKeyID: String?
    private let jwksURL: URL?
    private let httpClient: HTTPClient
    private let revocations: (any SessionRevocationList)?
    private let logger: Logger
    private var lastFetch: ContinuousClock.Instant?
    /// The key fetch under way, which concurrent requests wait for.
    private var fetching: Task<Void, Never>?
    /// Tokens whose signature and claims were checked: a session's next requests skip the
    /// signature (and this actor); revocation is still asked every time.
    private let verified = VerifiedTokens()

    /// - Parameter revocations: sessions ended before their tokens expire; when it cannot be
    ///   read (Redis down), tokens are accepted until their expiry rather than refusing everyone.
    public init(
        userKeys: [PublicJWK],
        serviceKey: PublicJWK?,
        jwksURL: URL?,
        revocations: (any SessionRevocationList)? = nil,
        httpClient: HTTPClient = .shared,
        logger: Logger
    ) async throws {
        self.serviceKeyID = serviceKey?.kid
        self.revocations = revocations
        self.jwksURL = jwksURL
        self.httpClient = httpClient
        self.logger = logger
        if let serviceKey {
            await serviceKeys.add(eddsa: EdDSA.PublicKey(backing: try serviceKey.publicKey()), kid: JWKIdentifier(string: serviceKey.kid))
        }
        for key in userKeys { try await addUserKey(key) }
    }

    /// The principal of a valid token; a 401 problem for anything else.
    public nonisolated func verify(_ token: String) async throws -> Principal {
        let principal: Principal
        if let known = verified.principal(for: token) {
            principal = known
        } else {
            principal = try await verifySignature(token)
        }
        if let sessionId = principal.sessionId, let revocations {
            do {
                if try await revocations.isRevoked(sessionId) { throw Self.revoked }
            } catch let error as ProblemError {
                throw error
            } catch {
                logger.debug("revocation list unavailable; token accepted until it expires", metadata: ["error": .string("\(error)")])
            }
        }
        return principal
    }

    /// The principal of a token whose signature and claims hold, remembered until it expires.
    private func verifySignature(_ token: String) async throws -> Principal {
        guard token.utf8.count < 8192, let kid = Self.keyID(of: token) else { throw Self.invalid }
        let claims: AccessTokenClaims
        let principal: Principal
        do {
            if kid == serviceKeyID {
                claims = try await serviceKeys.verify(token, as: AccessTokenClaims.self)
                guard claims.typ == "service", claims.roles == [Role.service.rawValue] else { throw Self.invalid }
                principal = Principal(userId: nil, serviceName: claims.sub.value, roles: [.service], token: token)
            } else {
                if !userKeyIDs.contains(kid) { await refreshKeys() }
                guard userKeyIDs.contains(kid) else { throw Self.invalid }
                claims = try await userKeys.verify(token, as: AccessTokenClaims.self)
                guard claims.typ == "access", let userId = UUID(uuidString: claims.sub.value) else { throw Self.invalid }
                let roles = Set(claims.roles.compactMap(Role.init(rawValue:)).filter { $0 != .service })
                principal = Principal(
                    userId: userId,
                    roles: roles,
                    websiteId: claims.wid.flatMap(UUID.init(uuidString:)),
                    sessionId: claims.sid.flatMap(UUID.init(uuidString:)),
                    token: token
                )
            }
        } catch let error as ProblemError {
            throw error
        } catch {
            logger.debug("token refused", metadata: ["reason": .string("\(error)")])
            throw Self.invalid
        }
        verified.remember(token, as: principal, until: claims.exp.value)
        return principal
    }

    static let invalid = ProblemError.unauthorized("The access token is invalid or has expired.")
    static let revoked = ProblemError.unauthorized("This session has ended (logged out or revoked). Log in again.")

    private func addUserKey(_ key: PublicJWK) async throws {
        await userKeys.add(eddsa: EdDSA.PublicKey(backing: try key.publicKey()), kid: JWKIdentifier(string: key.kid))
        userKeyIDs.insert(key.kid)
    }

    /// Fetches auth's keys again, at most every 10 s. Requests that arrive while a fetch is under
    /// way wait for it: returning at once, the first requests after a start were all 401s.
    private func refreshKeys() async {
        if let fetching {
            await fetching.value
            return
        }
        guard let jwksURL else { return }
        if let lastFetch, ContinuousClock.now - lastFetch < .seconds(10) { return }
        lastFetch = .now
        let fetch = Task { await fetchKeys(from: jwksURL) }
        fetching = fetch
        await fetch.value
        fetching = nil
    }

    private func fetchKeys(from jwksURL: URL) async {
        do {
            var request = HTTPClientRequest(url: jwksURL.absoluteString)
            request.method = .GET
            let response = try await httpClient.execute(request, timeout: .seconds(5))
            guard response.status == .ok else { throw ProblemError(.badGateway, "JWKS answered \(response.status.code)") }
            let body = try await response.body.collect(upTo: 1 << 20)
            let jwks = try JSONDecoder().decode(PublicJWKS.self, from: body)
            for key in jwks.keys where !userKeyIDs.contains(key.kid) { try await addUserKey(key) }
        } catch {
            logger.warning("cannot fetch verification keys", metadata: ["url": .string(jwksURL.absoluteString), "error": .string("\(error)")])
        }
    }

    /// The `kid` of the token's header, read before any verification; `nil` if it has none.
    static func keyID(of token: String) -> String? {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let header = Base64URL.decode(String(parts[0])),
            let object = try? JSONDecoder().decode([String: JSONValue].self, from: header),
            object["alg"]?.stringValue == "EdDSA"
        else { return nil }
        return object["kid"]?.stringValue
    }
}
