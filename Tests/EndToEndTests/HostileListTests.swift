import Foundation
import NIOHTTP1
import Testing

/// Every paginated list of the platform, asked for pages no list can have, as anonymous, customer
/// and admin: each answer is a 4xx, and the platform (gateway and all eleven services in one
/// process) is still alive afterwards. `page=2^63-1` used to kill the process on an overflow.
@Suite("Hostile pagination") struct HostileListTests {
    static let lists = [
        "/api/v1/products", "/api/v1/questions", "/api/v1/orders", "/api/v1/addresses", "/api/v1/sav/tickets",
        "/api/v1/auth/users", "/api/v1/auth/audit", "/api/v1/contacts", "/api/v1/newsletters/mails",
        "/api/v1/websites", "/api/v1/newsletters/campaigns", "/api/v1/newsletters/templates",
    ]

    static let hostileQueries = [
        "page=9223372036854775807&per_page=100", "page=4611686018427387904&per_page=2", "page=9223372036854775808",
        "page=-9223372036854775808", "per_page=9223372036854775807", "page=10000001", "page=0", "per_page=0", "page=1e3",
        "page=%00", "page=9223372036854775807&per_page=-9223372036854775808",
    ]

    @Test("page and per_page beyond any list are a 4xx for every list and every caller; the platform stays up")
    func extremePagesAreRefused() async throws {
        try await RunningPlatform.run { platform in
            let admin = try await platform.admin()
            let (customer, _, _) = try await platform.customer("Pat")
            for path in Self.lists {
                for query in Self.hostileQueries {
                    for token in [nil, customer, admin] {
                        let reply = try await platform.send(.GET, "\(path)?\(query)", token: token)
                        #expect((400..<500).contains(reply.status), "\(path)?\(query) answered \(reply.status): \(reply.text.prefix(200))")
                        if token == admin, reply.status == 422 {
                            #expect(!reply.problemFields.isEmpty, "\(path)?\(query): a 422 names the parameter")
                        }
                    }
                }
                let lastPage = try await platform.send(.GET, "\(path)?page=10000000&per_page=100", token: admin)
                #expect(lastPage.status == 200, "\(path): the last allowed page is an empty page, answered \(lastPage.status)")
            }
            #expect(try await platform.send(.GET, "/health/ready").status == 200)
            let products = try await platform.send(.GET, "/api/v1/products?page=1&per_page=5")
            #expect(products.status == 200)
        }
    }
}
