import ComptoirKit
import ComptoirTesting
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

/// User listing, role changes and the audit log: admins only.
@Suite struct AdministrationTests {
    @Test func customersAreDeniedAdminRoutes() async throws {
        try await withAuthService { client, _ in
            let id = try await client.register("nia@example.com")
            let customer = try await client.login("nia@example.com")
            #expect(try await client.json(.get, "/auth/users", token: customer.access).status == .forbidden)
            #expect(try await client.json(.get, "/auth/audit", token: customer.access).status == .forbidden)
            #expect(try await client.json(.put, "/auth/users/\(id)/roles", body: ["roles": ["admin"]], token: customer.access).status == .forbidden)
            #expect(try await client.json(.get, "/auth/users").status == .unauthorized)
        }
    }

    @Test func adminListsUsersWithPagination() async throws {
        try await withAuthService { client, _ in
            for index in 1...3 { try await client.register("user\(index)@example.com") }
            let admin = try await client.login("admin@example.com", password: "admin-password-1")
            let page = try await client.json(.get, "/auth/users?page=2&per_page=2", token: admin.access)
            #expect(page.status == .ok)
            #expect(page.object["total"] as? Int == 4)
            #expect((page.object["items"] as? [Any])?.count == 2)
            #expect(page.object["page"] as? Int == 2 && page.object["per_page"] as? Int == 2)
            let search = try await client.json(.get, "/auth/users?q=user2", token: admin.access)
            #expect(search.object["total"] as? Int == 1)
        }
    }

    @Test func adminChangesRolesAndTheChangeIsAudited() async throws {
        try await withAuthService { client, _ in
            let id = try await client.register("ola@example.com")
            let admin = try await client.login("admin@example.com", password: "admin-password-1")
            let changed = try await client.json(.put, "/auth/users/\(id)/roles", body: ["roles": ["customer", "support"]], token: admin.access)
            #expect(changed.status == .ok)
            #expect(changed.object["roles"] as? [String] == ["customer", "support"])
            // The new role is in the next token.
            let agent = try await client.login("ola@example.com")
            let me = try await client.json(.get, "/auth/me", token: agent.access)
            #expect(me.object["roles"] as? [String] == ["customer", "support"])
            let audit = try await client.json(.get, "/auth/audit?action=roles.changed&user_id=\(id)", token: admin.access)
            let entry = try #require((audit.object["items"] as? [[String: Any]])?.first)
            #expect(entry["detail"] as? String == "customer -> customer,support")
            #expect(entry["actor_id"] as? String != nil)
        }
    }

    @Test func roleChangesAreValidated() async throws {
        try await withAuthService { client, _ in
            let id = try await client.register("pia@example.com")
            let admin = try await client.login("admin@example.com", password: "admin-password-1")
            #expect(
                try await client.json(.put, "/auth/users/\(id)/roles", body: ["roles": ["wizard"]], token: admin.access).status
                    == .unprocessableContent
            )
            #expect(
                try await client.json(.put, "/auth/users/\(id)/roles", body: ["roles": ["service"]], token: admin.access).status
                    == .unprocessableContent
            )
            #expect(try await client.json(.put, "/auth/users/\(id)/roles", body: ["roles": []], token: admin.access).status == .unprocessableContent)
            #expect(
                try await client.json(.put, "/auth/users/\(UUID())/roles", body: ["roles": ["customer"]], token: admin.access).status == .notFound
            )
            #expect(
                try await client.json(.put, "/auth/users/not-a-uuid/roles", body: ["roles": ["customer"]], token: admin.access).status == .notFound
            )
            let me = try await client.json(.get, "/auth/me", token: admin.access)
            let selfDemotion = try await client.json(
                .put,
                "/auth/users/\(me.object["id"] as! String)/roles",
                body: ["roles": ["customer"]],
                token: admin.access
            )
            #expect(selfDemotion.status == .conflict)
        }
    }

    @Test func auditRecordsLoginsWithAddressAndAgent() async throws {
        try await withAuthService { client, _ in
            try await client.register("quin@example.com")
            try await client.json(
                .post,
                "/auth/login",
                body: ["email": "quin@example.com", "password": "wrong-password"],
                headers: [.userAgent: "TestBrowser/1.0", .xForwardedFor: "203.0.113.7"]
            )
            let admin = try await client.login("admin@example.com", password: "admin-password-1")
            let audit = try await client.json(.get, "/auth/audit?action=login.failed", token: admin.access)
            let entry = try #require((audit.object["items"] as? [[String: Any]])?.first)
            #expect(entry["ip"] as? String == "203.0.113.7")
            #expect(entry["user_agent"] as? String == "TestBrowser/1.0")
            #expect(entry["at"] is String)
            let bad = try await client.json(.get, "/auth/audit?user_id=nope", token: admin.access)
            #expect(bad.status == .unprocessableContent)
        }
    }
}
