import ComptoirContracts
import FluentKit
import Hummingbird
import ServiceLifecycle

/// One business service. Each service folder has one type conforming to this, its entry point;
/// ``ServiceHost`` does the rest (database, migrations, middleware, health, metrics, events).
public protocol ComptoirService: Sendable {
    static var id: ServiceID { get }

    /// The services this one calls over HTTP. Its internal client refuses any other, and the
    /// deployment's network policies admit exactly these edges (checked against deploy/k8s/edges.yaml).
    static var calls: Set<ServiceID> { get }

    init(environment: ServiceEnvironment) async throws

    /// The service's schema, in order; the kit's outbox and inbox tables come before them.
    var migrations: [any Migration] { get }

    /// Declares the service's endpoints (paths as in API.md, without `/api/v1`): each one is
    /// routed, documented in the service's OpenAPI document (which the gateway merges with the
    /// others) and access-checked from one declaration.
    func declare(_ api: ServiceAPI)

    /// Events the service consumes; each runs in a transaction with its inbox row.
    var eventHandlers: [EventHandler] { get }

    /// Work done once after migrations and before the server accepts requests (seeding, bootstrap).
    func prepare() async throws

    /// Long-running work beside the HTTP server (schedulers, background jobs).
    var backgroundServices: [any Service] { get }
}

extension ComptoirService {
    public static var calls: Set<ServiceID> { [] }
    public var eventHandlers: [EventHandler] { [] }
    public func prepare() async throws {}
    public var backgroundServices: [any Service] { [] }
}

/// A consumer of some event types: `handle` runs inside the transaction that records the event
/// in the service's inbox, so its effect happens once however often the event arrives.
public struct EventHandler: Sendable {
    /// Work to do once the handler's transaction has committed, such as dropping cached copies
    /// of what it changed: dropped inside the transaction, a concurrent read could cache the
    /// old rows again before the commit.
    public typealias AfterCommit = @Sendable () async -> Void

    public var bindings: [String]
    /// Applies the event inside the inbox transaction; what it returns runs after the commit
    /// (never for a duplicate).
    public var apply: @Sendable (EventEnvelope, any Database) async throws -> AfterCommit?

    public init(_ bindings: String..., handle: @escaping @Sendable (EventEnvelope, any Database) async throws -> Void) {
        self.bindings = bindings
        self.apply = { envelope, tx in
            try await handle(envelope, tx)
            return nil
        }
    }

    private init(bindings: [String], apply: @escaping @Sendable (EventEnvelope, any Database) async throws -> AfterCommit?) {
        self.bindings = bindings
        self.apply = apply
    }

    /// A handler whose transaction is followed by work of its own: `apply` returns it.
    public static func withAfterCommit(
        _ bindings: String...,
        apply: @escaping @Sendable (EventEnvelope, any Database) async throws -> AfterCommit?
    ) -> EventHandler {
        EventHandler(bindings: bindings, apply: apply)
    }
}
