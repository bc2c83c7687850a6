import ArgumentParser
import ComptoirContracts
import ComptoirKit
import ComptoirRecovery
import Foundation

/// `comptoir restore`: a backup set back into the platform (docs/recovery.md).
struct RestoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore",
        abstract: "Restore every service (or those named) from a backup set.",
        discussion: """
            Stop the services being restored first (embedded: the whole platform; cluster: scale their \
            Deployments to 0). Every archive is fetched and checked before anything is written; a target \
            that holds data is refused unless --force. Each database is loaded at the schema it was backed \
            up at and migrated forward; then every service's events sent since the backup (less a margin) \
            are queued again, so that what crossed the backup boundary is delivered to the restored services \
            (consumers drop what they already had). See docs/recovery.md and decision 0028.
            """
    )

    @Option(help: ArgumentHelp("A folder or s3://bucket[/prefix].", valueName: "location")) var from: String
    @Option(help: ArgumentHelp("The set to restore (default: the newest complete one).", valueName: "id")) var id: String?
    @Flag(help: "Replace databases and blobs that hold data.") var force = false
    @Option(
        name: .customLong("replay-margin"),
        help: ArgumentHelp("How far before the backup events are queued again, in seconds.", valueName: "seconds")
    )
    var replayMargin = 300
    @Argument(help: "Services to restore (default: every service in the set).") var services: [String] = []
    @OptionGroup var options: RecoveryOptions

    func validate() throws {
        guard replayMargin >= 0 else { throw ValidationError("--replay-margin cannot be negative") }
    }

    func run() async throws {
        let selected = services.isEmpty ? [] : try ServiceSelection.parse(services).map(\.id)
        try await options.run { configuration in
            try await Restorer(
                configuration: configuration,
                location: from,
                setID: id,
                services: selected,
                key: try options.key(configuration),
                replacing: force,
                replayMargin: .seconds(replayMargin),
                progress: options.progress,
                logger: LogSetup.logger()
            ).run()
        }
    }
}
