import ArgumentParser
import ComptoirAdapters
import ComptoirContracts
import ComptoirKit
import ComptoirPlatform
import Foundation

/// `comptoir migrate`: applies pending migrations and exits (a Kubernetes Job before a rollout).
struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Apply pending database migrations and exit.")

    @Argument(help: "Services to migrate (default: all).") var services: [String] = []
    @OptionGroup var data: DataOptions

    func run() async throws {
        let selected = try ServiceSelection.parse(services)
        let configuration = try data.load()
        let logger = LogSetup.logger()
        try await reportingConfigurationErrors {
            let platform = try await PlatformResources.configured(configuration, hostsAuth: selected.contains { $0.id == .auth }, logger: logger)
            for (id, type) in selected {
                try await ServiceHost.migrate(type, platform: platform)
                print("migrated \(id)")
            }
        }
    }
}
