import ArgumentParser

@main
struct Comptoir: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "comptoir",
        abstract: "The Comptoir e-commerce platform.",
        discussion: """
            With no command, runs the whole platform on this machine (embedded mode): the gateway \
            on --port (default 8080, storefront at http://localhost:8080) and every service on the \
            next ports, data in --data-dir (default ./data).

            Configuration comes from COMPTOIR_* environment variables; see docs/configuration.md.
            """,
        subcommands: [RunPlatform.self, Serve.self, GatewayCommand.self, Migrate.self, BackupCommand.self, RestoreCommand.self, Users.self],
        defaultSubcommand: RunPlatform.self
    )
}
