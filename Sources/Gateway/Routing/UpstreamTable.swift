import ComptoirContracts
import ComptoirKit
import Foundation

/// Which service answers a public path: `/api/v1/<service>/…` goes to that service, and the
/// API.md resources whose first segment is not a service id go to their owner.
struct UpstreamTable: Sendable {
    /// Resources named after something other than their service.
    static let resourceOwners: [String: ServiceID] = ["categories": .products]

    let urls: [ServiceID: URL]

    /// The owning service of an API path (without `/api/v1`), or `nil` if no service owns it.
    static func service(forAPIPath path: String) -> ServiceID? {
        let first = path.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: true).first.map(String.init) ?? ""
        return ServiceID(rawValue: first) ?? resourceOwners[first]
    }
}
