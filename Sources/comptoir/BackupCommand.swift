import ArgumentParser
import ComptoirKit
import ComptoirRecovery
import Foundation

/// `comptoir backup …`: take, list, verify and prune backup sets (docs/recovery.md).
struct BackupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "Back up the platform's data, and list, verify and prune backups.",
        discussion: """
            A backup set is a folder (or an S3 prefix) named after its UTC start time, with one archive per \
            service and a manifest. LOCATION is a folder or s3://bucket[/prefix] (through COMPTOIR_S3_ENDPOINT \
            and its credentials). With COMPTOIR_BACKUP_KEY (32 random bytes in base64) the archives are \
            encrypted with AES-256-GCM; keep that key apart from the backups. See docs/recovery.md.
            """,
        subcommands: [Create.self, List.self, Verify.self, Prune.self],
        defaultSubcommand: Create.self
    )

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "create",
            abstract: "Back up every service (or those named) while the platform runs.",
            discussion: """
                Each database is copied consistently while it is in use (SQLite's VACUUM INTO, or one \
                REPEATABLE READ transaction on PostgreSQL), followed by the service's blobs and, in \
                embedded mode, the keys and the delivered mail. The manifest, written last, records \
                every part's size and SHA-256, the schema's migrations, the rows per table and how far \
                each outbox and inbox had got.
                """
        )

        @Option(help: ArgumentHelp("Where to write the set: a folder or s3://bucket[/prefix].", valueName: "location")) var to: String
        @Argument(help: "Services to back up (default: all).") var services: [String] = []
        @OptionGroup var options: RecoveryOptions

        func run() async throws {
            let selected = try ServiceSelection.parse(services).map(\.id)
            try await options.run { configuration in
                let runner = BackupRunner(
                    configuration: configuration,
                    location: to,
                    services: selected,
                    key: try options.key(configuration),
                    progress: options.progress,
                    logger: LogSetup.logger()
                )
                return RecoveryReport(backup: try await runner.run(), location: to)
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the backup sets of a location, oldest first.")

        @Option(help: ArgumentHelp("A folder or s3://bucket[/prefix].", valueName: "location")) var from: String
        @OptionGroup var options: RecoveryOptions

        func run() async throws {
            try await options.run { configuration in
                let entries = try await BackupCatalog(configuration: configuration, location: from).entries()
                if options.json {
                    print(try BackupCatalog.json(entries))
                } else if entries.isEmpty {
                    print("no backup sets in \(from)")
                } else {
                    for entry in entries {
                        let state = entry.complete ? (entry.verified ? "verified" : "complete") : "incomplete"
                        print(
                            "\(entry.id)  \(state.padding(toLength: 10, withPad: " ", startingAt: 0)) \(entry.services.count) services  \(entry.bytes) bytes"
                        )
                    }
                }
                return nil
            }
        }
    }

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check a set's checksums and restore it into scratch to prove it opens.",
            discussion: """
                Scratch is a temporary folder of SQLite files, or databases comptoirverify<random>_<service> \
                on the PostgreSQL server of COMPTOIR_DATABASE_URL (the role needs CREATEDB), dropped afterwards. \
                A set that passes gets a verified.json; exit status 1 names the first bad archive or part.
                """
        )

        @Option(help: ArgumentHelp("A folder or s3://bucket[/prefix].", valueName: "location")) var from: String
        @Option(help: ArgumentHelp("The set to verify (default: the newest complete one).", valueName: "id")) var id: String?
        @OptionGroup var options: RecoveryOptions

        func run() async throws {
            try await options.run { configuration in
                try await BackupVerifier(
                    configuration: configuration,
                    location: from,
                    setID: id,
                    key: try options.key(configuration),
                    progress: options.progress,
                    logger: LogSetup.logger()
                ).run()
            }
        }
    }

    struct Prune: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Delete the sets a retention policy does not keep.",
            discussion: """
                Kept: every complete set younger than --keep-days; the newest set of each of the last \
                --keep-daily days, --keep-weekly ISO weeks and --keep-monthly months; always the newest \
                complete set and the newest verified one; an incomplete set for a day (it may be in progress).
                """
        )

        @Option(help: ArgumentHelp("A folder or s3://bucket[/prefix].", valueName: "location")) var from: String
        @Option(name: .customLong("keep-days"), help: "Keep every set younger than this many days.") var keepDays: Int
        @Option(name: .customLong("keep-daily"), help: "Also keep the newest set of each of this many days.") var keepDaily = 0
        @Option(name: .customLong("keep-weekly"), help: "Also keep the newest set of each of this many weeks.") var keepWeekly = 0
        @Option(name: .customLong("keep-monthly"), help: "Also keep the newest set of each of this many months.") var keepMonthly = 0
        @Flag(name: .customLong("dry-run"), help: "Say what would be deleted, and delete nothing.") var dryRun = false
        @OptionGroup var options: RecoveryOptions

        func validate() throws {
            guard keepDays >= 1 else { throw ValidationError("--keep-days must be at least 1") }
            guard [keepDaily, keepWeekly, keepMonthly].allSatisfy({ $0 >= 0 }) else {
                throw ValidationError("the --keep-* counts cannot be negative")
            }
        }

        func run() async throws {
            try await options.run { configuration in
                let policy = RetentionPolicy(keepDays: keepDays, keepDaily: keepDaily, keepWeekly: keepWeekly, keepMonthly: keepMonthly)
                let (kept, deleted) = try await BackupCatalog(configuration: configuration, location: from)
                    .prune(policy, dryRun: dryRun, progress: options.progress)
                print(
                    options.json
                        ? #"{"kept":\#(BackupCatalog.jsonArray(kept)),"deleted":\#(BackupCatalog.jsonArray(deleted)),"dry_run":\#(dryRun)}"#
                        : "\(dryRun ? "would keep" : "kept") \(kept.count) sets, \(dryRun ? "would delete" : "deleted") \(deleted.count)"
                )
                return nil
            }
        }
    }
}
