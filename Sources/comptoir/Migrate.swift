import ArgumentParser
import ComptoirKit
import ComptoirPlatform
import Foundation

/// `comptoir migrate`: applies pending migrations and exits (a Kubernetes Job before a rollout).
struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Apply pending database migrations and exit.")

    @Argument(help: "Services to migrate (default: all).") var services: [String] = []
    @OptionGroup var data: DataOptions

    func run() async throws {
        let ids = try services.isEmpty ? ServiceCatalog.ids : services.map { name in
            guard let id = ServiceID(rawValue: name), ServiceCatalog.type(of: id) != nil else {
                throw ValidationError("unknown service \"\(name)\"; this build has: \(ServiceCatalog.ids.map(\.rawValue).joined(separator: ", "))")
            }
            return id
        }
        let configuration = try data.load()
        let logger = LogSetup.logger()
        try await reportingConfigurationErrors {
            let platform = try await PlatformResources(configuration: configuration, hostsAuth: ids.contains(.auth), logger: logger)
            for id in ids {
                try await ServiceHost.migrate(ServiceCatalog.type(of: id)!, platform: platform)
                print("migrated \(id)")
            }
        }
    }
}
