/// The identifier of one of Comptoir's eleven business services.
///
/// The raw value is the service's name everywhere: Kubernetes resource names, URL prefixes,
/// database names (`comptoir_<id>`), metric labels and event `source` fields.
public enum ServiceID: String, CaseIterable, Sendable, Codable, Hashable, CustomStringConvertible {
    case auth
    case products
    case baskets
    case orders
    case deliveries
    case addresses
    case websites
    case sav
    case contacts
    case newsletters
    case questions

    /// Offset of this service's port from the gateway's in embedded mode (auth is gateway + 1, …).
    public var portOffset: Int {
        Self.allCases.firstIndex(of: self)! + 1  // trap-checked: every case is in allCases
    }

    /// The database name the service uses on PostgreSQL: `<prefix>_<id>`, `comptoir_<id>` by default.
    public func databaseName(prefix: String = "comptoir") -> String { "\(prefix)_\(rawValue)" }

    /// The upper-case form used in environment variables (`COMPTOIR_<ID>_URL`).
    public var environmentName: String { rawValue.uppercased() }

    public var description: String { rawValue }
}
