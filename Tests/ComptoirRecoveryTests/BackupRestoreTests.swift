import ComptoirContracts
import ComptoirKit
import ComptoirTesting
import Foundation
import Testing

@testable import ComptoirRecovery

/// `comptoir backup` and `restore` on real databases (SQLite, or the run's PostgreSQL server) and
/// real files: a set restores what was backed up, and a damaged, truncated or foreign set restores nothing.
@Suite struct BackupRestoreTests {
    static let key = try! ArchiveKey(base64: Data(repeating: 7, count: 32).base64EncodedString())  // trap-checked: a valid literal key
    static let otherKey = try! ArchiveKey(base64: Data(repeating: 9, count: 32).base64EncodedString())  // trap-checked: a valid literal key

    /// Plain and encrypted into a folder; with the run's S3 server, blobs in a bucket and the set in another.
    static let storages: [(encrypted: Bool, s3: Bool)] = [(false, false), (true, false)] + (TestPlatform.s3Endpoint == nil ? [] : [(true, true)])

    @Test(arguments: storages)
    func aSetRestoresTheCatalogAndItsImagesIdenticallyAndRefusesToOverwrite(encrypted: Bool, s3: Bool) async throws {
        let shop = try await RecoveryShop.withCatalog(s3: s3)
        let before = try await shop.fingerprint()
        #expect(before.count > 20)
        let location = try shop.backupLocation()
        let manifest = try await shop.backup(to: location, key: encrypted ? Self.key : nil)
        #expect(manifest.services.map(\.service) == ["products"])
        #expect(manifest.services[0].parts.contains { $0.name.hasPrefix("blobs/") })
        #expect(manifest.keyId == (encrypted ? Self.key.id : nil))

        let target = try RecoveryShop.empty(s3: s3)
        let report = try await target.restore(from: location, key: Self.key)
        #expect(report.services.first?.blobs == manifest.services[0].parts.filter { $0.name.hasPrefix("blobs/") }.count)
        #expect(try await target.fingerprint() == before)

        await #expect(throws: RecoveryError.self) { try await target.restore(from: location, key: Self.key) }
        do {
            _ = try await target.restore(from: location, key: Self.key)
        } catch let error as RecoveryError {
            #expect(error.description.contains("refusing to restore over data: products"))
            #expect(error.description.contains("--force"))
        }
        _ = try await target.restore(from: location, key: Self.key, replacing: true)
        #expect(try await target.fingerprint() == before)
        let verified = try await shop.verify(from: location, key: Self.key)
        #expect(verified.services.map(\.service) == ["products"])
        let sets = try await BackupCatalog(configuration: shop.configuration, location: location).entries()
        #expect(sets.map(\.id) == [manifest.id] && sets.allSatisfy(\.verified))
    }

    /// One byte changed in a part, an archive cut short, or an archive changed behind the manifest's
    /// back: each is an error naming the archive (and the part), and the target stays empty.
    @Test func aDamagedOrTruncatedArchiveIsNamedAndNothingIsRestored() async throws {
        let shop = try await RecoveryShop.withCatalog()
        let backups = try TestPlatform.temporaryDirectory()
        let manifest = try await shop.backup(to: backups.path)
        let set = backups.appendingPathComponent(manifest.id)
        let archive = set.appendingPathComponent("products.tar")
        let pristine = try Data(contentsOf: archive)
        let target = try RecoveryShop.empty()

        var flipped = pristine
        flipped[2_000] ^= 0xFF  // inside the database copy, the first part
        try flipped.write(to: archive)
        try await expectRefusal(target, from: backups, containing: ["products.tar does not match the manifest", "damaged or truncated"])
        try RecoveryShop.acceptArchive(in: set)
        try await expectRefusal(target, from: backups, containing: ["part database.", "does not match its checksum"])
        await #expect(throws: RecoveryError.self) { try await shop.verify(from: backups.path) }

        try pristine.prefix(pristine.count / 2).write(to: archive)
        try RecoveryShop.acceptArchive(in: set)
        try await expectRefusal(target, from: backups, containing: ["products.tar is truncated"])
        #expect(try await !target.holdsProducts(), "nothing restored half-way")
    }

    @Test func aWrongKeyOrNoKeyIsToldApartFromDamage() async throws {
        let shop = try await RecoveryShop.withCatalog()
        let backups = try TestPlatform.temporaryDirectory()
        let manifest = try await shop.backup(to: backups.path, key: Self.key)
        let target = try RecoveryShop.empty()
        try await expectRefusal(target, from: backups, key: nil, containing: ["is encrypted (key id \(Self.key.id))", "COMPTOIR_BACKUP_KEY"])
        let foreign = ["was encrypted with key id \(Self.key.id)", Self.otherKey.id]
        try await expectRefusal(target, from: backups, key: Self.otherKey, containing: foreign)
        // A manifest rewritten to name the other key: the archive itself still says whose it is.
        try RecoveryShop.patchManifest(in: backups.appendingPathComponent(manifest.id)) { $0["key_id"] = Self.otherKey.id }
        try await expectRefusal(target, from: backups, key: Self.otherKey, containing: ["products.tar.enc was encrypted with another key"])
        #expect(try await !target.holdsProducts())
    }

    @Test func pruneKeepsThirtyDaysAndTheNewestVerifiedSet() async throws {
        let shop = try await RecoveryShop.withCatalog()
        let backups = try TestPlatform.temporaryDirectory()
        let manifest = try await shop.backup(to: backups.path)
        let now = Date()
        var ids: [String] = []
        for age in 1...40 {
            // A minute younger than `age` days: set ids are whole seconds.
            let id = BackupSetID.make(now.addingTimeInterval(-Double(age) * 86_400 + 60))
            try FileManager.default.copyItem(at: backups.appendingPathComponent(manifest.id), to: backups.appendingPathComponent(id))
            ids.append(id)
        }
        try Data("{}".utf8).write(to: backups.appendingPathComponent(ids[34] + "/verified.json"))
        try FileManager.default.removeItem(at: backups.appendingPathComponent(manifest.id))
        try FileManager.default.removeItem(at: backups.appendingPathComponent(ids[2] + "/manifest.json"))  // a failed run
        let catalog = BackupCatalog(configuration: shop.configuration, location: backups.path)
        let dry = try await catalog.prune(RetentionPolicy(keepDays: 30), now: now, dryRun: true, progress: RecoveryProgress(quiet: true))
        #expect(dry.deleted.count == 10, "ages 31 to 40 but the verified one, and the failed run")
        #expect(try await catalog.entries().count == 40, "a dry run deletes nothing")
        let done = try await catalog.prune(RetentionPolicy(keepDays: 30), now: now, dryRun: false, progress: RecoveryProgress(quiet: true))
        let expectedKept = Set(ids.prefix(30)).subtracting([ids[2]]).union([ids[34]])
        #expect(Set(done.kept) == expectedKept)
        #expect(Set(try await catalog.entries().map(\.id)) == expectedKept)
    }

    private func expectRefusal(
        _ target: RecoveryShop,
        from backups: URL,
        key: ArchiveKey? = nil,
        containing parts: [String],
        sourceLocation: SourceLocation = #_sourceLocation
    ) async throws {
        do {
            _ = try await target.restore(from: backups.path, key: key)
            Issue.record("the restore went through", sourceLocation: sourceLocation)
        } catch let error as RecoveryError {
            for part in parts { #expect(error.description.contains(part), "\(error)", sourceLocation: sourceLocation) }
        }
        #expect(try await !target.holdsProducts(), "nothing restored", sourceLocation: sourceLocation)
    }
}
