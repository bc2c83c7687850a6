import Foundation
import NIOHTTP1
import Testing

/// The audit trail through the gateway: staff actions and security events, with who, what, when,
/// from where and the request id; admins only; nothing secret.
@Suite("Audit trail") struct AuditTrailTests {
    @Test("a staff action appears in its service's trail and the merged one, with actor, IP and request id")
    func staffActionsAreRecorded() async throws {
        try await RunningPlatform.run { platform in
            let admin = try await platform.admin()
            let (customer, customerId, _) = try await platform.customer("Pat")
            let product = try await platform.product(name: "Audited lamp", price: 1500, stock: 3, admin: admin)
            let requestId = "audit-\(UUID().uuidString.prefix(8))"
            let stock = try await platform.send(
                .PUT,
                "/api/v1/products/\(product)/stock",
                json: ["stock": 9],
                token: admin,
                headers: ["X-Request-Id": requestId]
            )
            #expect(stock.status == 200, "\(stock.text)")

            let trail = try await platform.send(.GET, "/api/v1/products/audit-trail?action=PUT%20/products/%7Bid%7D/stock", token: admin)
            #expect(trail.status == 200, "\(trail.text)")
            let entry = try #require(trail.items.first, "\(trail.text)")
            #expect(entry["service"] as? String == "products")
            #expect(entry["target"] as? String == "/products/\(product)/stock")
            #expect(entry["request_id"] as? String == requestId)
            #expect(entry["ip"] as? String == "127.0.0.1")
            #expect((entry["actor_roles"] as? [String])?.contains("admin") == true)
            #expect(entry["status"] as? Int == 200)
            let actor = try #require(entry["actor_id"] as? String)

            let merged = try await platform.send(.GET, "/api/v1/audit?actor_id=\(actor)&per_page=100", token: admin)
            #expect(merged.status == 200, "\(merged.text)")
            let actions = Set(try merged.items.compactMap { $0["action"] as? String })
            #expect(actions.isSuperset(of: ["POST /products", "PUT /products/{id}/stock", "login.succeeded"]), "\(actions)")
            let times = try merged.items.compactMap { $0["at"] as? String }
            #expect(times == times.sorted(by: >), "newest first")
            let count = try merged.items.count
            #expect(merged.object["total"] as? Int == count)

            // A customer's own purchase is not a staff action; a refused staff action is recorded.
            #expect(try await platform.send(.PUT, "/api/v1/products/\(product)/stock", json: ["stock": 0], token: customer).status == 403)
            let refused = try await platform.send(.GET, "/api/v1/audit?service=products&actor_id=\(customerId)", token: admin)
            let statuses = try refused.items.map { $0["status"] as? Int }
            #expect(statuses == [403], "\(refused.text)")
        }
    }

    @Test("only admins read the trail, filters are checked, and no secret is ever recorded")
    func theTrailIsForAdminsAndHoldsNoSecret() async throws {
        try await RunningPlatform.run { platform in
            let admin = try await platform.admin()
            let (customer, _, email) = try await platform.customer("Sam")
            let wrong = try await platform.send(.POST, "/api/v1/auth/login", json: ["email": email, "password": "not the password at all"])
            #expect(wrong.status == 401)
            let changed = try await platform.send(
                .POST,
                "/api/v1/auth/password",
                json: ["current_password": "correct horse battery", "new_password": "a brand new secret 42"],
                token: customer
            )
            #expect(changed.status == 204, "\(changed.text)")
            let agent = try await platform.agent(admin: admin)

            for path in ["/api/v1/audit", "/api/v1/products/audit-trail", "/api/v1/auth/audit-trail"] {
                #expect(try await platform.send(.GET, path).status == 401, "\(path) anonymous")
                #expect(try await platform.send(.GET, path, token: customer).status == 403, "\(path) as a customer")
                #expect(try await platform.send(.GET, path, token: agent.token).status == 403, "\(path) as support")
            }
            let bad = try await platform.send(.GET, "/api/v1/audit?from=yesterday&actor_id=nope&service=payments", token: admin)
            #expect(bad.status == 422)
            #expect(Set(bad.problemFields) == ["from", "actor_id"] || Set(bad.problemFields) == ["service"], "\(bad.text)")
            #expect(try await platform.send(.GET, "/api/v1/audit?page=11&per_page=100", token: admin).status == 422)

            let merged = try await platform.send(.GET, "/api/v1/audit?per_page=100", token: admin)
            #expect(merged.status == 200)
            let actions = try merged.items.compactMap { $0["action"] as? String }
            #expect(actions.contains("login.failed") && actions.contains("password.changed"), "\(actions)")
            #expect(actions.contains("PUT /auth/users/{id}/roles"), "the admin's role change: \(actions)")
            for secret in ["correct horse battery", "a brand new secret 42", "not the password at all", "Bearer "] {
                #expect(!merged.text.contains(secret), "the trail holds \(secret)")
            }
        }
    }
}
