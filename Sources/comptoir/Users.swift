import ArgumentParser
import AuthService
import ComptoirAdapters
import ComptoirContracts
import ComptoirKit
import Foundation

/// `comptoir users …`: account administration from the command line.
struct Users: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Manage user accounts.", subcommands: [CreateAdmin.self])

    struct CreateAdmin: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "create-admin",
            abstract: "Create an administrator unless an account with this e-mail exists.",
            discussion:
                """
                The password comes from --password-stdin, or else COMPTOIR_ADMIN_PASSWORD; \
                it is never taken as an argument, so it stays out of shell history and process lists.
                """
        )

        @Option(help: "The administrator's e-mail.") var email: String
        @Option(help: "The administrator's display name.") var name = "Administrator"
        @Flag(name: .customLong("password-stdin"), help: "Read the password from standard input.") var passwordFromStandardInput = false
        @OptionGroup var data: DataOptions

        func run() async throws {
            let password: String
            if passwordFromStandardInput {
                password = readLine(strippingNewline: true) ?? ""
            } else if let fromEnvironment = ProcessInfo.processInfo.environment["COMPTOIR_ADMIN_PASSWORD"], !fromEnvironment.isEmpty {
                password = fromEnvironment
            } else {
                throw ValidationError("give the password on standard input with --password-stdin, or in COMPTOIR_ADMIN_PASSWORD")
            }
            let configuration = try data.load()
            try await reportingConfigurationErrors {
                let platform = try await PlatformResources.configured(configuration, hostsAuth: true, logger: LogSetup.logger())
                let environment = try await ServiceEnvironment(id: .auth, platform: platform, loadDemoData: false)
                let service = try await AuthService(environment: environment)
                try await ServiceHost.migrate(service: service, environment: environment)
                do {
                    switch try await service.createAdmin(email: email, password: password, name: name) {
                    case .created: print("created administrator \(email.lowercased())")
                    case .alreadyExists: print("an account with e-mail \(email.lowercased()) already exists; nothing changed")
                    }
                } catch let error as ProblemError {
                    await environment.database.shutdown()
                    let reasons = (error.problem.errors ?? []).map { "\($0.field) \($0.message)" }.joined(separator: "; ")
                    throw ValidationError(reasons.isEmpty ? (error.problem.detail ?? "invalid input") : reasons)
                }
                await environment.database.shutdown()
            }
        }
    }
}
