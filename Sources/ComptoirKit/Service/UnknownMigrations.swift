import ComptoirContracts

/// A database records migrations this build does not have: it was migrated (or backed up) by a newer build.
public struct UnknownMigrations: Error, CustomStringConvertible {
    public let service: ServiceID
    public let names: [String]

    public var description: String {
        "\(service): the database has migrations this build does not know (\(names.joined(separator: ", "))): it comes from a newer build"
    }
}
