import ComptoirContracts
import ComptoirKit
import FluentKit
import Foundation

/// The FAQ a first embedded start loads into the default store, so the storefront's FAQ page has
/// something to show and search.
enum DemoFAQ {
    static let entries: [(category: String, question: String, answer: String)] = [
        (
            "orders", "How do I place an order?",
            """
            Add products to your basket, choose a shipping address and place the order. \
            You will get a confirmation e-mail as soon as the stock is reserved.
            """
        ),
        (
            "orders", "Can I cancel my order?",
            "Yes, as long as it has not shipped: open Your orders and choose Cancel order. The items go back on sale at once."
        ),
        (
            "orders", "Why was my order cancelled?",
            "An order is cancelled when a product ran out between the moment you placed it and the moment we reserved it. Nothing is charged."
        ),
        (
            "delivery", "How long does delivery take?",
            "Two working days in France, three to four in the rest of Europe, about seven to the United States and Canada."
        ),
        (
            "delivery", "How do I track my parcel?",
            "Your order page shows the carrier and tracking number once the order is confirmed; Track a parcel shows where it is."
        ),
        (
            "delivery", "Which carriers do you use?",
            "Colissimo in France, DHL in most of Europe, Royal Mail in the United Kingdom and UPS in North America."
        ),
        (
            "returns", "How do I return a product?",
            "Open a support ticket within 30 days of delivery with your order number; we send you a prepaid return label."
        ),
        ("returns", "When will I be refunded?", "Within five working days of the return reaching our warehouse, to the payment method you used."),
        (
            "account", "I forgot my password. What can I do?",
            "Contact our support team from the contact form; for your security we never send passwords by e-mail."
        ),
        ("account", "How do I unsubscribe from the newsletter?", "Every newsletter has an unsubscribe link at the bottom; one click is enough."),
    ]

    static func loadIfEmpty(_ environment: ServiceEnvironment) async throws {
        let database = environment.database.fluent
        guard try await Question.query(on: database).count() == 0 else { return }
        try await environment.database.transaction { tx in
            var positions: [String: Int] = [:]
            for entry in entries {
                let question = Question(websiteId: .defaultWebsite)
                question.question = entry.question
                question.answer = entry.answer
                question.category = entry.category
                question.position = positions[entry.category, default: 0]
                positions[entry.category, default: 0] += 1
                try await question.create(on: tx)
                try await Question.textIndex.index(try question.requireID(), values: question.indexedText, on: tx)
            }
        }
        environment.logger.notice("loaded the demo FAQ", metadata: ["entries": .stringConvertible(entries.count)])
    }
}
