import Foundation
import NIOHTTP1
import Testing

/// The FAQ and the contact form, through the gateway.
@Suite("Help: FAQ and contact form, end to end") struct HelpTests {
    @Test("the demo FAQ is searchable; a contact message reaches its team's mailbox; a forged forwarding header does not dodge the limit")
    func faqAndContact() async throws {
        try await RunningPlatform.run(environment: ["COMPTOIR_CONTACT_RATE_LIMIT": "2/1h"], loadDemoData: true) { platform in
            let faq = try await platform.send(.GET, "/api/v1/questions?q=track")
            #expect(faq.status == 200)
            #expect(try faq.items.first?["question"] as? String == "How do I track my parcel?")

            // Admins edit the FAQ through the gateway; customers may not.
            let admin = try await platform.admin()
            let (customer, _, _) = try await platform.customer("Ines")
            let entry: [String: Any] = ["question": "Do you gift-wrap?", "answer": "Yes, for free.", "category": "orders"]
            #expect(try await platform.send(.POST, "/api/v1/questions", json: entry, token: customer).status == 403)
            let created = try await platform.send(.POST, "/api/v1/questions", json: entry, token: admin)
            #expect(created.status == 201)
            let id = try #require(created.object["id"] as? String)
            var changed = entry
            changed["answer"] = "Yes, with recycled paper."
            #expect(try await platform.send(.PUT, "/api/v1/questions/\(id)", json: changed, token: admin).status == 200)
            #expect(try await platform.send(.GET, "/api/v1/questions?q=recycled").items.first?["id"] as? String == id)
            #expect(try await platform.send(.DELETE, "/api/v1/questions/\(id)", token: admin).status == 204)
            #expect(try await platform.send(.GET, "/api/v1/questions/\(id)").status == 404)

            let form: [String: Any] = ["name": "Lou", "email": "lou@example.com", "topic": "support", "message": "My parcel has not arrived yet."]
            let sent = try await platform.send(.POST, "/api/v1/contacts", json: form, headers: ["X-Forwarded-For": "198.51.100.9"])
            #expect(sent.status == 202, "\(sent.text)")
            try await platform.eventually("the support team mailed") {
                let mails = try await platform.send(.GET, "/api/v1/newsletters/mails?to=support@comptoir.localhost", token: admin).items
                return mails.contains { $0["reason"] as? String == "contacts.message.received" && $0["status"] as? String == "sent" }
            }
            // The gateway does not trust a client's X-Forwarded-For: a second "address" is still the same client.
            #expect(try await platform.send(.POST, "/api/v1/contacts", json: form, headers: ["X-Forwarded-For": "203.0.113.1"]).status == 202)
            let limited = try await platform.send(.POST, "/api/v1/contacts", json: form, headers: ["X-Forwarded-For": "203.0.113.2"])
            #expect(limited.status == 429)
            #expect(limited.headers["Retry-After"].first != nil)
            #expect(try await platform.send(.GET, "/api/v1/contacts", token: admin).object["total"] as? Int == 2)
        }
    }
}
