import ComptoirContracts
import ComptoirKit
import Hummingbird
import Logging

/// The services that run in the gateway's own process (the embedded shape), answered by their
/// routers directly instead of over a loopback HTTP connection.
///
/// The request a local service gets is the one the proxy would have sent it (path, forwarded
/// headers, store id, trace context), and it passes through the service's own middleware, so
/// its logs, metrics and errors are those of a proxied request; what is saved is the encoding,
/// parsing and copying of both messages on loopback, which cost more than the service's own
/// work on a cached read (docs/decisions/0029-hot-path-performance.md). The services still
/// listen on their ports for one another's internal calls.
public struct LocalServices: Sendable {
    struct Local: Sendable {
        let responder: RouterResponder<ComptoirRequestContext>
        let logger: Logger
    }

    let services: [ServiceID: Local]

    /// No service in process: every upstream is reached over HTTP.
    public static let none = LocalServices(services: [:])

    init(services: [ServiceID: Local]) {
        self.services = services
    }

    /// The services of `hosts`, answered by their routers.
    public init(_ hosts: [ServiceHost]) {
        var services: [ServiceID: Local] = [:]
        for host in hosts {
            var logger = host.environment.logger
            logger[metadataKey: "component"] = .string(host.id.rawValue)
            services[host.id] = Local(responder: host.router.buildResponder(), logger: logger)
        }
        self.services = services
    }

    subscript(service: ServiceID) -> Local? { services[service] }
}
