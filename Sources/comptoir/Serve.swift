import ArgumentParser
import ComptoirAdapters
import ComptoirContracts
import ComptoirKit
import ComptoirPlatform
import Foundation
import Hummingbird
import Logging
import ServiceLifecycle
import UnixSignals

/// `comptoir serve <service>`: one service, as a Kubernetes Deployment runs it.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run one service.",
        discussion: """
            Services: \(ServiceID.allCases.map(\.rawValue).joined(separator: ", ")) (those this build contains: \
            \(ServiceCatalog.ids.map(\.rawValue).joined(separator: ", "))). Migrations run at start.

            In a cluster, give every service the same COMPTOIR_DATABASE_URL (each uses its own \
            database), COMPTOIR_AMQP_URL, COMPTOIR_REDIS_URL, COMPTOIR_S3_* and COMPTOIR_SMTP_URL, \
            and COMPTOIR_<ID>_URL for the services it calls; see docs/configuration.md.
            """
    )

    @Argument(help: "The service to run.") var service: String
    @Option(help: "Port to listen on (default: its embedded-mode port, 8080 + its position).") var port: Int?
    @Option(help: "Address to bind.") var host = "0.0.0.0"
    @Flag(name: .customLong("no-demo"), help: "Do not load demo data into an empty database.") var noDemo = false
    @OptionGroup var data: DataOptions

    func run() async throws {
        guard let id = ServiceID(rawValue: service), let type = ServiceCatalog.type(of: id) else {
            throw ValidationError("unknown service \"\(service)\"; this build has: \(ServiceCatalog.ids.map(\.rawValue).joined(separator: ", "))")
        }
        let configuration = try data.load()
        let logger = LogSetup.logger()
        try await reportingConfigurationErrors {
            let platform = try await PlatformResources.configured(configuration, hostsAuth: id == .auth, logger: logger)
            if !platform.adapters.crossesProcesses {
                logger.warning("events travel in-process only: consumers in other processes will not see them; set COMPTOIR_AMQP_URL")
            }
            let host = try await ServiceHost.make(type, platform: platform, loadDemoData: !noDemo)
            let app = host.application(host: self.host, port: port ?? 8080 + id.portOffset)
            try await ServiceGroup(configuration: .init(services: [app], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)).run()
        }
    }
}
