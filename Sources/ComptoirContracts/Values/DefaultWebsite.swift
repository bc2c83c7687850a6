import Foundation

extension UUID {
    /// The id of the store with code `default`, fixed so that every service can seed data for it
    /// and scope requests that arrive without a resolved store (internal calls, tests).
    public static let defaultWebsite = UUID(uuidString: "00000000-0000-4000-8000-000000000001")!  // trap-checked: a literal, valid UUID
}
