import ArgumentParser
import ComptoirKit
import ComptoirRecovery
import Foundation

/// What the backup and restore commands share: the data options, the archive key, and how their
/// errors end the process (1 with one line naming the set, service and part; 2 for configuration).
struct RecoveryOptions: ParsableArguments {
    @OptionGroup var data: DataOptions
    @Flag(help: "Print the summary as one JSON object on standard output.") var json = false
    @Flag(name: .shortAndLong, help: "No progress lines on standard error.") var quiet = false

    var progress: RecoveryProgress { RecoveryProgress(quiet: quiet) }

    /// `COMPTOIR_BACKUP_KEY`, when set.
    func key(_ configuration: ComptoirConfiguration) throws -> ArchiveKey? {
        try configuration.environment.string("COMPTOIR_BACKUP_KEY").map { try ArchiveKey(base64: $0) }
    }

    /// Runs `body` with the loaded configuration, printing its report; a failure is one line on standard error.
    func run(_ body: (ComptoirConfiguration) async throws -> RecoveryReport?) async throws {
        let configuration = try data.load()
        do {
            try await reportingConfigurationErrors {
                if let report = try await body(configuration) { print(json ? try report.json() : report.summary) }
            }
        } catch let error as RecoveryError {
            FileHandle.standardError.write(Data("comptoir: \(error.description)\n".utf8))
            throw ExitCode(1)
        } catch let error as ExitCode {
            throw error
        } catch {
            FileHandle.standardError.write(Data("comptoir: \(String(reflecting: error))\n".utf8))
            throw ExitCode(1)
        }
    }
}
