import ComptoirAdapters
import ComptoirContracts
import ComptoirKit
import Foundation
import Gateway
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle

/// The whole platform in one process: every service of ``ServiceCatalog`` on 127.0.0.1 at
/// `port + offset`, sharing one in-process event bus, and the gateway on `host:port`, which hands
/// requests to the services' routers directly (``LocalServices``).
public struct EmbeddedPlatform {
    public let platform: PlatformResources
    public let port: Int
    /// The services' hosts, opened and migrated.
    public let hosts: [ServiceHost]
    let gatewayConfiguration: GatewayConfiguration

    /// Opens, migrates and prepares every service (demo data on an empty data directory when
    /// `loadDemoData`); nothing listens yet. A failure closes what was opened before it.
    public init(configuration: ComptoirConfiguration, port: Int, loadDemoData: Bool, logger: Logger) async throws {
        // The gateway's settings first: a bad one stops the start before any database opens.
        let gatewayConfiguration = try GatewayConfiguration(environment: configuration.environment)
        let platform = try await PlatformResources.configured(configuration, hostsAuth: true, logger: logger)
        var hosts: [ServiceHost] = []
        do {
            for entry in ServiceCatalog.entries {
                hosts.append(try await ServiceHost.make(entry.type, platform: platform, loadDemoData: loadDemoData))
            }
        } catch {
            for host in hosts { await host.environment.database.shutdown() }
            await platform.shutdown()
            throw error
        }
        self.platform = platform
        self.port = port
        self.hosts = hosts
        self.gatewayConfiguration = gatewayConfiguration
    }

    /// The services and the gateway, to run in one `ServiceGroup`.
    public func services(host: String, onGatewayRunning: @escaping @Sendable (any Channel) async -> Void = { _ in }) throws -> [any Service] {
        // First in, last out: every database stays open until every relay and server has stopped.
        var services: [any Service] = [ResourceCloser(databases: hosts.map(\.environment.database), platform: platform)]
        // Then the bus: up before the relays publish, down after they stopped.
        if let bus = platform.busService { services.append(bus) }
        var upstreams: [ServiceID: URL] = [:]
        for serviceHost in hosts {
            let servicePort = port + serviceHost.id.portOffset
            services.append(serviceHost.application(host: "127.0.0.1", port: servicePort, closesResources: false))
            upstreams[serviceHost.id] = URL(string: "http://127.0.0.1:\(servicePort)")!  // trap-checked: an IPv4 literal and a numeric port
        }
        let gateway = try Gateway(platform: platform, configuration: gatewayConfiguration, upstreams: upstreams, local: LocalServices(hosts))
        services.append(try gateway.application(host: host, port: port, onServerRunning: onGatewayRunning))
        return services
    }
}
