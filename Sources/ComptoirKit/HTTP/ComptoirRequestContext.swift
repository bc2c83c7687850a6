import ComptoirContracts
import Foundation
import Hummingbird
import Logging
import NIOCore

/// The request context of every Comptoir router: who is calling, from where, and body limits.
public struct ComptoirRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The authenticated caller, set by ``AuthenticationMiddleware``.
    public var principal: Principal?
    /// The store this request is for, resolved by the gateway (``WebsiteScopeMiddleware``).
    public var websiteId: UUID?
    /// The TCP peer of this request.
    public let remoteAddress: SocketAddress?
    /// The connection the request came on.
    public let channel: any Channel
    /// Largest body decoded as JSON; uploads collect their bodies with their own limit.
    public var maxUploadSize: Int

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.remoteAddress = source.channel.remoteAddress
        self.channel = source.channel
        self.maxUploadSize = ComptoirRequestContext.defaultMaxBodySize
        self.principal = nil
        self.websiteId = nil
    }

    /// 1 MiB, as the API promises; a service may lower or raise it with ``BodyLimitMiddleware``.
    public static let defaultMaxBodySize = 1 << 20

    /// The request id carried in logs and the `X-Request-Id` header.
    public var requestID: String {
        logger[metadataKey: RequestIDMiddleware.metadataKey].map { "\($0)" } ?? id
    }

    /// The authenticated principal, or a 401 problem.
    public func requirePrincipal() throws -> Principal {
        guard let principal else { throw ProblemError.unauthorized() }
        return principal
    }
}

extension ComptoirRequestContext {
    /// The store of this request, or the default store.
    public var website: UUID { websiteId ?? .defaultWebsite }
}
