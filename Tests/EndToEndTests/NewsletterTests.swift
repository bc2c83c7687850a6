import Foundation
import NIOHTTP1
import Testing

/// Newsletters through the gateway: double opt-in, a campaign, the one-click unsubscribe.
@Suite("Newsletters, end to end") struct NewsletterTests {
    static func token(in text: String) -> String? {
        text.range(of: #"token=[A-Za-z0-9_\-.]+"#, options: .regularExpression).map { String(text[$0].dropFirst("token=".count)) }
    }

    @Test("subscribe, confirm from the mailed link, receive a campaign, leave with its one-click link, get no more")
    func subscriptionAndCampaign() async throws {
        try await RunningPlatform.run { platform in
            let admin = try await platform.admin()
            let reader = "reader-\(UUID().uuidString.prefix(6).lowercased())@example.com"
            #expect(try await platform.send(.POST, "/api/v1/newsletters/subscriptions", json: ["email": reader]).status == 202)
            var confirmation: [String: Any] = [:]
            try await platform.eventually("confirmation mailed") {
                confirmation = try await platform.send(.GET, "/api/v1/newsletters/mails?to=\(reader)", token: admin).items.first ?? [:]
                return confirmation["status"] as? String == "sent"
            }
            let confirmToken = try #require(Self.token(in: confirmation["body_text"] as? String ?? ""))
            #expect(
                try await platform.send(.GET, "/api/v1/newsletters/subscriptions/confirm?token=\(confirmToken)").object["status"] as? String
                    == "confirmed"
            )
            #expect(try await platform.send(.GET, "/api/v1/newsletters/subscriptions/confirm?token=x.\(confirmToken)").status == 400)

            let (customer, _, _) = try await platform.customer("Nope")
            #expect(try await platform.send(.GET, "/api/v1/newsletters/templates", token: customer).status == 403)
            #expect(try await platform.send(.GET, "/api/v1/newsletters/campaigns").status == 401)
            let template = try #require(
                try await platform.send(
                    .POST,
                    "/api/v1/newsletters/templates",
                    json: ["name": "News", "subject": "News", "text": "Hello {{email}}"],
                    token: admin
                )
                .object["id"] as? String
            )
            #expect(try await platform.send(.GET, "/api/v1/newsletters/templates", token: admin).object["total"] as? Int == 1)
            let campaign = try #require(
                try await platform.send(
                    .POST,
                    "/api/v1/newsletters/campaigns",
                    json: ["subject": "November news", "template_id": template],
                    token: admin
                )
                .object["id"] as? String
            )
            #expect(try await platform.send(.POST, "/api/v1/newsletters/campaigns/\(campaign)/send", token: admin).status == 202)
            try await platform.eventually("campaign sent") {
                try await platform.send(.GET, "/api/v1/newsletters/campaigns?status=sent", token: admin).items.first?["sent_count"] as? Int == 1
            }
            let news = try #require(
                try await platform.send(.GET, "/api/v1/newsletters/mails?to=\(reader)", token: admin).items.first {
                    $0["subject"] as? String == "November news"
                }
            )
            let unsubscribe = try #require(Self.token(in: news["body_text"] as? String ?? ""))
            // What a mail client does with List-Unsubscribe-Post: a form POST to the link.
            let left = try await platform.send(
                .POST,
                "/api/v1/newsletters/unsubscribe?token=\(unsubscribe)",
                headers: ["Content-Type": "application/x-www-form-urlencoded"]
            )
            #expect(left.status == 200, "\(left.text)")
            let again = try #require(
                try await platform.send(
                    .POST,
                    "/api/v1/newsletters/campaigns",
                    json: ["subject": "December news", "template_id": template],
                    token: admin
                )
                .object["id"] as? String
            )
            try await platform.send(.POST, "/api/v1/newsletters/campaigns/\(again)/send", token: admin)
            try await platform.eventually("second campaign done") {
                try await platform.send(.GET, "/api/v1/newsletters/campaigns/\(again)", token: admin).object["status"] as? String == "sent"
            }
            let subjects = try await platform.send(.GET, "/api/v1/newsletters/mails?to=\(reader)", token: admin).items.map {
                $0["subject"] as? String
            }
            #expect(subjects.contains("November news") && !subjects.contains("December news"), "\(subjects)")
        }
    }
}
