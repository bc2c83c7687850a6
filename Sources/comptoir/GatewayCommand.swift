import ArgumentParser
import ComptoirAdapters
import ComptoirKit
import ComptoirPlatform
import Foundation
import Gateway
import ServiceLifecycle
import UnixSignals

/// `comptoir gateway`: the gateway alone, in front of services reached at `COMPTOIR_<ID>_URL`.
struct GatewayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gateway",
        abstract: "Run the API gateway alone.",
        discussion: "Upstreams are read from COMPTOIR_<ID>_URL (default http://127.0.0.1:<8080 + position>)."
    )

    @Option(help: "Port to listen on.") var port = 8080
    @Option(help: "Address to bind.") var host = "0.0.0.0"
    @OptionGroup var data: DataOptions

    func run() async throws {
        let configuration = try data.load()
        let logger = LogSetup.logger()
        try await reportingConfigurationErrors {
            let gatewayConfiguration = try GatewayConfiguration(environment: configuration.environment)
            let platform = try await PlatformResources.configured(configuration, hostsAuth: false, logger: logger)
            let upstreams = Dictionary(uniqueKeysWithValues: ServiceCatalog.ids.compactMap { id in configuration.serviceURLs[id].map { (id, $0) } })
            let app = try Gateway(platform: platform, configuration: gatewayConfiguration, upstreams: upstreams).application(host: host, port: port)
            let closer = ResourceCloser(databases: [], platform: platform)
            try await ServiceGroup(configuration: .init(services: [closer, app], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)).run()
        }
    }
}
