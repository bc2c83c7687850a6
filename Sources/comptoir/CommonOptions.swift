import ArgumentParser
import ComptoirAdapters
import ComptoirKit
import Foundation
import Logging

/// Options every command that touches data shares.
struct DataOptions: ParsableArguments {
    @Option(
        name: .customLong("data-dir"),
        help: ArgumentHelp("Where SQLite files, keys, blobs and mail go (overrides COMPTOIR_DATA_DIR).", valueName: "path")
    )
    var dataDirectory: String?

    /// Reads and checks the configuration, and sets up logging; a bad value ends the process
    /// with one line naming the variable.
    func load(basePort: Int = 8080) throws -> ComptoirConfiguration {
        do {
            let configuration = try ComptoirConfiguration(dataDirectory: dataDirectory, basePort: basePort)
            LogSetup.bootstrapOnce(configuration)
            return configuration
        } catch let error as ConfigurationError {
            FileHandle.standardError.write(Data("comptoir: \(error.description)\n".utf8))
            throw ExitCode(2)
        }
    }
}

enum LogSetup {
    /// swift-log allows one bootstrap per process.
    static func bootstrapOnce(_ configuration: ComptoirConfiguration) {
        let level = configuration.logLevel
        switch configuration.logFormat {
        case .json:
            LoggingSystem.bootstrap(
                { label, provider in JSONLogHandler(label: label, level: level, metadataProvider: provider) },
                metadataProvider: ConfiguredAdapters.loggingMetadataProvider
            )
        case .text:
            LoggingSystem.bootstrap { label in
                var handler = StreamLogHandler.standardError(label: label)
                handler.logLevel = level
                return handler
            }
        }
    }

    static func logger(_ label: String = "comptoir") -> Logger { Logger(label: label) }
}

/// Runs `body`, turning a configuration error into one line on standard error and exit code 2.
func reportingConfigurationErrors<T>(_ body: () async throws -> T) async throws -> T {
    do {
        return try await body()
    } catch let error as ConfigurationError {
        FileHandle.standardError.write(Data("comptoir: \(error.description)\n".utf8))
        throw ExitCode(2)
    }
}
