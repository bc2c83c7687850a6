import ArgumentParser
import ComptoirContracts
import ComptoirKit
import ComptoirPlatform

/// Service names given on the command line: all of this build's when none.
enum ServiceSelection {
    static func parse(_ names: [String]) throws -> [(id: ServiceID, type: any ComptoirService.Type)] {
        guard !names.isEmpty else { return ServiceCatalog.entries }
        return try names.map { name in
            guard let id = ServiceID(rawValue: name), let type = ServiceCatalog.type(of: id) else {
                throw ValidationError("unknown service \"\(name)\"; this build has: \(ServiceCatalog.ids.map(\.rawValue).joined(separator: ", "))")
            }
            return (id: id, type: type)
        }
    }
}
