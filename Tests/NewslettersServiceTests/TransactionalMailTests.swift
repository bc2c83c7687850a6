import ComptoirContracts
import ComptoirKit
import ComptoirTesting
import FluentKit
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

@testable import NewslettersService

@Suite struct TransactionalMailTests {
    @Test func aConfirmedOrderIsMailedOnceAndLogged() async throws {
        try await TestPlatform.withService(NewslettersService.self) { client, environment in
            let order = try EventEnvelope(
                OrderConfirmed(
                    orderId: UUID(),
                    number: "2026-000042",
                    userId: UUID(),
                    websiteId: .defaultWebsite,
                    customerEmail: "Lea@Example.com",
                    customerName: "Léa <b>",
                    lines: [OrderLineData(productId: UUID(), name: "Mug", quantity: 2, unitPrice: 1250)],
                    total: 2500,
                    currency: "EUR",
                    shippingCountry: "FR"
                ),
                source: .orders,
                websiteId: .defaultWebsite
            )
            try await environment.platform.bus.publish(order)
            try await environment.platform.bus.publish(order)
            let sender = MailSender(environment: environment)
            #expect(try await sender.sendBatch() == 1)
            #expect(try await sender.sendBatch() == 0)

            let admin = try await TestPlatform.token(environment, roles: [.admin])
            let log = try await client.json(.get, "/newsletters/mails?to=lea@example.com", token: admin)
            let items = log.object["items"] as? [[String: Any]] ?? []
            #expect(items.count == 1)
            #expect(items.first?["subject"] as? String == "Order 2026-000042 confirmed")
            #expect(items.first?["status"] as? String == "sent")
            #expect(items.first?["sent_at"] is String)
            #expect((items.first?["body_text"] as? String)?.contains("2 × Mug — 25.00 EUR") == true)
            #expect(try await client.json(.get, "/newsletters/mails", token: try await TestPlatform.token(environment)).status == .forbidden)

            // The .eml file is there, with a plain-text part and the user's name escaped in HTML.
            let folder = environment.configuration.dataDirectory.appendingPathComponent("mail")
            let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".eml") }
            #expect(files.count == 1)
            let eml = try String(contentsOf: folder.appendingPathComponent(files[0]), encoding: .utf8)
            #expect(eml.contains("To: lea@example.com"))
            #expect(eml.contains("Content-Type: text/plain; charset=utf-8"))
            #expect(try MailContent.orderConfirmation(try order.payload(as: OrderConfirmed.self)).html?.contains("Léa &lt;b&gt;") == true)
        }
    }

    @Test func aFailingMailerIsRetriedLater() async throws {
        try await TestPlatform.withService(NewslettersService.self) { client, environment in
            let folder = environment.configuration.dataDirectory.appendingPathComponent("mail")
            try await environment.platform.bus.publish(
                try EventEnvelope(UserRegistered(userId: UUID(), email: "sam@example.com", name: "Sam"), source: .auth)
            )
            // Make the mail folder unwritable by replacing it with a file.
            try FileManager.default.removeItem(at: folder)
            try Data().write(to: folder)
            let sender = MailSender(environment: environment)
            #expect(try await sender.sendBatch() == 1)
            let admin = try await TestPlatform.token(environment, roles: [.admin])
            let queued = try await client.json(.get, "/newsletters/mails", token: admin).object["items"] as? [[String: Any]]
            #expect(queued?.first?["status"] as? String == "queued")
            #expect(try await sender.sendBatch() == 0, "not due again before its back-off")
        }
    }

    @Test func aMailTheDatabaseCouldNotMarkSentIsNotSentAgain() async throws {
        try await TestPlatform.withService(NewslettersService.self) { client, environment in
            let folder = environment.configuration.dataDirectory.appendingPathComponent("mail")
            func mailFiles() throws -> [String] {
                try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".eml") }
            }
            try await environment.platform.bus.publish(
                try EventEnvelope(UserRegistered(userId: UUID(), email: "kim@example.com", name: "Kim"), source: .auth)
            )
            // The database refuses to record the send, as a full disk or a lost connection would.
            let fault = DatabaseFault(name: "refuse_sent", table: "outgoing_mails", column: "status", when: "NEW.status = 'sent'")
            try await fault.refuse(on: environment.database)
            let sender = MailSender(environment: environment)
            await #expect(throws: (any Error).self, "the lost mark is reported") { try await sender.sendBatch() }
            #expect(try mailFiles().count == 1)
            try FileManager.default.removeItem(at: folder.appendingPathComponent(try mailFiles()[0]))
            // Due again as far as the database knows; the sender remembers it went.
            try await OutgoingMail.query(on: environment.database.fluent).set(\.$nextAttemptAt, to: Date.distantPast).update()
            await #expect(throws: (any Error).self) { try await sender.sendBatch() }
            #expect(try mailFiles().isEmpty, "not handed to the mailer a second time")

            try await fault.allow(on: environment.database)
            #expect(try await sender.sendBatch() == 0)
            #expect(try mailFiles().isEmpty)
            let admin = try await TestPlatform.token(environment, roles: [.admin])
            let log = try await client.json(.get, "/newsletters/mails?to=kim@example.com", token: admin)
            #expect(log.status == .ok)
            let items = try #require(log.object["items"] as? [[String: Any]])
            #expect(items.count == 1 && items.first?["status"] as? String == "sent")
        }
    }
}

@Suite struct ContactMailTests {
    @Test func aContactMessageIsMailedToItsTeam() async throws {
        try await TestPlatform.withService(NewslettersService.self) { client, environment in
            try await environment.platform.bus.publish(
                try EventEnvelope(
                    ContactMessageReceived(
                        messageId: UUID(),
                        name: "Ann",
                        email: "ann@example.com",
                        topic: "press",
                        message: "Could we interview you?",
                        teamEmail: "media@shop.example"
                    ),
                    source: .contacts
                )
            )
            #expect(try await MailSender(environment: environment).sendBatch() == 1)
            let admin = try await TestPlatform.token(environment, roles: [.admin])
            let mail = (try await client.json(.get, "/newsletters/mails?to=media@shop.example", token: admin).object["items"] as? [[String: Any]])?
                .first
            #expect(mail?["subject"] as? String == "[Contact · press] Ann")
            #expect((mail?["body_text"] as? String)?.contains("ann@example.com") == true)
            #expect(mail?["reason"] as? String == "contacts.message.received")
        }
    }
}
