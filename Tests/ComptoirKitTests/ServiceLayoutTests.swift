import Foundation
import Testing

/// Every `Sources/<Name>Service` folder has the same layout:
///
/// ```
/// <Name>Service.swift   the service type, and nothing else at the root
/// Routes/               HTTP handlers and <Name>OpenAPI.swift        (required)
/// Models/               Fluent models and request/response payloads  (required)
/// Migrations/                                                         (required)
/// Domain/               the service's logic                          (when it has some)
/// Events/               what it publishes and consumes               (when it has some)
/// Seed/                 demo data                                    (when it has some)
/// Resources/            SwiftPM resources                            (when it has some)
/// ```
///
/// No folder below these, except under Resources/.
@Suite struct ServiceLayoutTests {
    static let requiredFolders: Set<String> = ["Routes", "Models", "Migrations"]
    static let optionalFolders: Set<String> = ["Domain", "Events", "Seed", "Resources"]

    /// The package root: this file is `<root>/Tests/ComptoirKitTests/ServiceLayoutTests.swift`.
    static var packageRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    @Test func everyServiceFolderHasTheSameLayout() throws {
        let sources = Self.packageRoot.appendingPathComponent("Sources")
        let services = try Self.serviceFolders(in: sources)
        #expect(!services.isEmpty, "no Sources/*Service folder found under \(sources.path)")
        for service in services {
            for problem in try Self.layoutProblems(in: sources.appendingPathComponent(service)) {
                Issue.record("Sources/\(service): \(problem)")
            }
        }
    }

    /// The check itself finds each kind of offence (on a folder built for the purpose).
    @Test func theCheckFindsEachKindOfOffence() throws {
        let fileManager = FileManager.default
        let root = fileManager.temporaryDirectory.appendingPathComponent("service-layout-\(UUID().uuidString)")
        defer { try? fileManager.removeItem(at: root) }
        let good = root.appendingPathComponent("GoodService")
        let bad = root.appendingPathComponent("BadService")
        for folder in ["Routes", "Models", "Migrations", "Domain", "Resources/nested"] {
            try fileManager.createDirectory(at: good.appendingPathComponent(folder), withIntermediateDirectories: true)
        }
        for folder in ["Routes", "Events/Consumers"] {
            try fileManager.createDirectory(at: bad.appendingPathComponent(folder), withIntermediateDirectories: true)
        }
        for file in ["GoodService/GoodService.swift", "BadService/Stray.swift", "BadService/Seed"] {
            try Data().write(to: root.appendingPathComponent(file))
        }

        #expect(try Self.serviceFolders(in: root) == ["BadService", "GoodService"])
        #expect(try Self.layoutProblems(in: good) == [])
        #expect(
            try Self.layoutProblems(in: bad) == [
                "Seed: not allowed at the root (only BadService.swift and Routes/, Models/, Migrations/, Domain/, Events/, Seed/, Resources/)",
                "Stray.swift: not allowed at the root (only BadService.swift and Routes/, Models/, Migrations/, Domain/, Events/, Seed/, Resources/)",
                "BadService.swift is missing",
                "Migrations/ is missing",
                "Models/ is missing",
                "Events/Consumers: a folder inside Events/ (no nesting below the layout folders)",
            ]
        )
    }

    /// The names of the `*Service` folders in `sources`, sorted.
    static func serviceFolders(in sources: URL) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: sources.path)
            .filter { $0.hasSuffix("Service") && isDirectory(sources.appendingPathComponent($0)) }
            .sorted()
    }

    /// What is wrong with one service folder's layout, one sentence per offence.
    static func layoutProblems(in folder: URL) throws -> [String] {
        let name = folder.lastPathComponent
        let entryFile = "\(name).swift"
        let allowed = ["Routes", "Models", "Migrations", "Domain", "Events", "Seed", "Resources"].map { "\($0)/" }.joined(separator: ", ")
        var problems: [String] = []
        let entries = try visibleEntries(of: folder)
        for entry in entries {
            let url = folder.appendingPathComponent(entry)
            let directory = isDirectory(url)
            let fits = directory ? requiredFolders.union(optionalFolders).contains(entry) : entry == entryFile
            if !fits { problems.append("\(entry): not allowed at the root (only \(entryFile) and \(allowed))") }
        }
        if !entries.contains(entryFile) || isDirectory(folder.appendingPathComponent(entryFile)) {
            problems.append("\(entryFile) is missing")
        }
        for required in requiredFolders.sorted() where !isDirectory(folder.appendingPathComponent(required)) {
            problems.append("\(required)/ is missing")
        }
        for layoutFolder in requiredFolders.union(optionalFolders).subtracting(["Resources"]).sorted() {
            let url = folder.appendingPathComponent(layoutFolder)
            guard isDirectory(url) else { continue }
            for entry in try visibleEntries(of: url) where isDirectory(url.appendingPathComponent(entry)) {
                problems.append("\(layoutFolder)/\(entry): a folder inside \(layoutFolder)/ (no nesting below the layout folders)")
            }
        }
        return problems
    }

    /// The entries of `folder`, sorted, without hidden ones (`.DS_Store` and the like).
    static func visibleEntries(of folder: URL) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { !$0.hasPrefix(".") }.sorted()
    }

    static func isDirectory(_ url: URL) -> Bool {
        var directory: ObjCBool = false
        return FileManager.default.fileExists(atPath: url.path, isDirectory: &directory) && directory.boolValue
    }
}
