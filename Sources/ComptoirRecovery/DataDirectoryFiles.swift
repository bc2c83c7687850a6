import ComptoirContracts
import Foundation

/// Files of the data directory that belong with a service's archive: the platform's keys with
/// auth's (when they are files, not secrets), the delivered mail with newsletters' (when mail
/// goes to files, not SMTP).
enum DataDirectoryFiles {
    static func folder(of service: ServiceID) -> String? {
        switch service {
        case .auth: "keys"
        case .newsletters: "mail"
        default: nil
        }
    }

    /// The files to archive, as (part name, file) pairs: `keys/jwt-ed25519.key`, …
    static func files(of service: ServiceID, in dataDirectory: URL) -> [(name: String, file: URL)] {
        guard let folder = folder(of: service) else { return [] }
        let root = dataDirectory.appendingPathComponent(folder)
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: root.path) else { return [] }
        return names.sorted().filter { !$0.hasPrefix(".") }.map { (folder + "/" + $0, root.appendingPathComponent($0)) }
    }
}
