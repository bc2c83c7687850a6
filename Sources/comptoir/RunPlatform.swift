import ArgumentParser
import ComptoirKit
import ComptoirPlatform
import Foundation
import Hummingbird
import Logging
import ServiceLifecycle
import UnixSignals

/// `comptoir` / `comptoir run`: every service and the gateway in one process.
struct RunPlatform: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the whole platform in one process (the default command).",
        discussion: """
            The gateway listens on --host:--port; the services on 127.0.0.1, ports --port+1 … \
            --port+11 (auth, products, baskets, orders, deliveries, addresses, websites, sav, \
            contacts, newsletters, questions). Two instances with different --port and --data-dir \
            run side by side. SIGTERM or Ctrl-C stops it gracefully.
            """
    )

    @Option(help: "Gateway port; services use the next eleven ports.") var port = 8080
    @Option(help: "Address the gateway binds to (services always bind 127.0.0.1).") var host = "0.0.0.0"
    @Flag(name: .customLong("no-demo"), help: "Do not load the demo catalog, FAQ and website into an empty data directory.") var noDemo = false
    @OptionGroup var data: DataOptions

    func validate() throws {
        guard (1...65_523).contains(port) else {
            throw ValidationError("--port must be between 1 and 65523 (the services need the next eleven ports)")
        }
    }

    func run() async throws {
        let configuration = try data.load(basePort: port)
        let logger = LogSetup.logger()
        try await reportingConfigurationErrors {
            let platform = try await EmbeddedPlatform(configuration: configuration, port: port, loadDemoData: !noDemo, logger: logger)
            let port = self.port
            let services = try platform.services(host: host) { _ in
                logger.notice(
                    "Comptoir is running",
                    metadata: ["url": .string("http://localhost:\(port)"), "data_dir": .string(configuration.dataDirectory.path)]
                )
            }
            let group = ServiceGroup(configuration: .init(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
            try await group.run()
        }
    }
}
