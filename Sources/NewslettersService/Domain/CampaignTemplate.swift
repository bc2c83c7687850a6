import ComptoirKit
import Foundation
import Mustache

/// A template compiled for rendering: the subject and text part as plain text, the HTML part
/// with values escaped. Every mail gets `email` and `unsubscribe_url`; a text part that forgets
/// the unsubscribe link gets one appended.
struct CampaignTemplate: Sendable {
    let subject: MustacheTemplate
    let text: MustacheTemplate
    let html: MustacheTemplate?

    /// Compiles the sources; a syntax error, or a source the library cannot be trusted with
    /// (``MustacheSourceCheck``), is a 422 naming the field.
    init(subject: String, text: String, html: String?) throws {
        var validator = Validator()
        /// `nil` after recording why `source` is refused.
        func compile(_ source: String, _ field: String, plain: Bool) -> MustacheTemplate? {
            if let problem = MustacheSourceCheck.problem(in: source) {
                validator.fail(field, problem)
                return nil
            }
            do {
                return try MustacheTemplate(string: (plain ? "{{% CONTENT_TYPE: TEXT}}" : "") + source)
            } catch {
                validator.fail(field, "is not a valid Mustache template (\(error))")
                return nil
            }
        }
        let subject = compile(subject, "subject", plain: true)
        let text = compile(text, "text", plain: true)
        let html = html.map { compile($0, "html", plain: false) } ?? nil
        try validator.check()
        // `compile` records an error whenever it gives `nil`, so with none recorded both are here.
        guard let subject, let text else { throw ProblemError.validation(validator.errors) }
        self.subject = subject
        self.text = text
        self.html = html
    }

    struct Rendered: Encodable, Sendable, Equatable {
        var subject: String
        var text: String
        var html: String?
    }

    /// The mail for one recipient. `values` are the template's variables (strings only).
    func render(_ values: [String: String], unsubscribeURL: String) -> Rendered {
        var context: [String: String] = values
        context["unsubscribe_url"] = unsubscribeURL
        var text = self.text.render(context)
        if !text.contains(unsubscribeURL) { text += "\n\n--\nUnsubscribe: \(unsubscribeURL)\n" }
        let subject = self.subject.render(context).replacingOccurrences(of: "\r", with: " ").replacingOccurrences(of: "\n", with: " ")
        return Rendered(subject: subject, text: text, html: html?.render(context))
    }
}
