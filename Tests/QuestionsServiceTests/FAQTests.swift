import ComptoirContracts
import ComptoirKit
import ComptoirTesting
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

@testable import QuestionsService

@Suite struct FAQTests {
    @Test func theDemoFAQIsSearchableAndOrdered() async throws {
        try await TestPlatform.withService(QuestionsService.self, loadDemoData: true) { client, _ in
            let all = try await client.json(.get, "/questions?per_page=100")
            #expect(all.object["total"] as? Int == DemoFAQ.entries.count)
            let items = all.object["items"] as? [[String: Any]] ?? []
            // By category, then position.
            #expect(items.compactMap { $0["category"] as? String } == items.compactMap { $0["category"] as? String }.sorted())
            let delivery = items.filter { $0["category"] as? String == "delivery" }
            #expect(delivery.compactMap { $0["position"] as? Int } == [0, 1, 2])

            let parcel = try await client.json(.get, "/questions?q=track%20parc")
            #expect((parcel.object["items"] as? [[String: Any]])?.first?["question"] as? String == "How do I track my parcel?")
            #expect(try await client.json(.get, "/questions?q=r%C3%A9servation%20zzzz").object["total"] as? Int == 0)
            // Search syntax cannot be injected: quotes, operators and SQL are only words.
            for hostile in ["\"", "NEAR(a b)", "') OR 1=1 --", "*", "a:* | b"] {
                let encoded = hostile.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
                #expect(try await client.json(.get, "/questions?q=\(encoded)").status == .ok)
            }
            #expect(try await client.json(.get, "/questions?category=delivery").object["total"] as? Int == 3)
            let categories = try await client.json(.get, "/questions/categories")
            #expect(categories.status == .ok, "\(categories.text)")
            struct Category: Decodable { var slug: String }
            let slugs = try JSONDecoder().decode([Category].self, from: Data(categories.text.utf8)).map(\.slug)
            #expect(slugs == ["account", "delivery", "orders", "returns"])
        }
    }

    @Test func onlyAdminsEditAndEveryFieldIsValidated() async throws {
        try await TestPlatform.withService(QuestionsService.self) { client, environment in
            let admin = try await TestPlatform.token(environment, roles: [.admin])
            let customer = try await TestPlatform.token(environment)
            let body: [String: Any] = ["question": "Do you ship to Iceland?", "answer": "Not yet, sorry.", "category": "Delivery"]
            #expect(try await client.json(.post, "/questions", body: body).status == .unauthorized)
            #expect(try await client.json(.post, "/questions", body: body, token: customer).status == .forbidden)
            let created = try await client.json(.post, "/questions", body: body, token: admin)
            #expect(created.status == .created)
            #expect(created.object["category"] as? String == "delivery")
            #expect(created.object["position"] as? Int == 0)
            let second = try await client.json(
                .post,
                "/questions",
                body: ["question": "Do you ship to Norway?", "answer": "Yes.", "category": "delivery"],
                token: admin
            )
            #expect(second.object["position"] as? Int == 1, "goes last in its category")
            let id = try #require(created.object["id"] as? String)

            let invalid = try await client.json(
                .post,
                "/questions",
                body: ["question": "Hm?", "answer": "", "category": "not a slug!", "position": -1],
                token: admin
            )
            #expect(invalid.status == .unprocessableContent)
            #expect(Set(invalid.problemFields) == ["question", "answer", "category", "position"])
            #expect(try await client.json(.post, "/questions", body: ["question": 5], token: admin).status == .unprocessableContent)

            let updated = try await client.json(
                .put,
                "/questions/\(id)",
                body: ["question": "Do you ship to Iceland now?", "answer": "Yes, since 2026.", "category": "delivery", "position": 5],
                token: admin
            )
            #expect(updated.status == .ok)
            #expect(try await client.json(.get, "/questions?q=iceland").object["total"] as? Int == 1)
            #expect(try await client.json(.get, "/questions?q=sorry").object["total"] as? Int == 0, "the old answer left the index")
            #expect(try await client.json(.put, "/questions/\(id)", body: body, token: customer).status == .forbidden)

            // Another store does not see it.
            let otherStore: HTTPFields = [HTTPField.Name("X-Comptoir-Website-Id")!: UUID().uuidString]
            #expect(try await client.json(.get, "/questions/\(id)", headers: otherStore).status == .notFound)
            #expect(try await client.json(.get, "/questions", headers: otherStore).object["total"] as? Int == 0)

            #expect(try await client.json(.delete, "/questions/\(id)", token: admin).status == .noContent)
            #expect(try await client.json(.get, "/questions/\(id)").status == .notFound)
            #expect(try await client.json(.get, "/questions?q=iceland").object["total"] as? Int == 0)
            #expect(try await client.json(.get, "/questions/not-a-uuid").status == .notFound)
        }
    }
}
