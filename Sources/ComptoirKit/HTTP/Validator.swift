import Foundation

/// Collects every invalid field of a request, then throws one 422 naming them all.
///
/// ```swift
/// var validator = Validator()
/// validator.require(body.name, "name", .length(1...200))
/// try validator.check()
/// ```
public struct Validator: Sendable {
    public private(set) var errors: [Problem.FieldError] = []

    public init() {}

    /// Records an error for `field`.
    public mutating func fail(_ field: String, _ message: String) {
        errors.append(.init(field: field, message: message))
    }

    /// Records `message` for `field` unless `condition` holds.
    public mutating func expect(_ condition: Bool, _ field: String, _ message: String) {
        if !condition { fail(field, message) }
    }

    /// Checks a string's length in characters after trimming, and that it has no control characters.
    public mutating func text(_ value: String?, _ field: String, length: ClosedRange<Int>, required: Bool = true) {
        guard let value else {
            if required { fail(field, "is required") }
            return
        }
        let trimmed = value.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.isEmpty && required {
            fail(field, "must not be empty")
        } else if !length.contains(trimmed.count) {
            fail(field, "must be between \(length.lowerBound) and \(length.upperBound) characters")
        } else if trimmed.unicodeScalars.contains(where: { $0.properties.generalCategory == .control && $0 != "\n" && $0 != "\t" && $0 != "\r" }) {
            fail(field, "must not contain control characters")
        }
    }

    /// Checks an e-mail address: one `@`, a dotted domain, no spaces, at most 254 characters.
    public mutating func email(_ value: String, _ field: String = "email") {
        expect(Self.isEmail(value), field, "must be a valid e-mail address")
    }

    public static func isEmail(_ value: String) -> Bool {
        guard value.count <= 254, !value.contains(where: { $0.isWhitespace || $0.isNewline }) else { return false }
        let parts = value.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[0].count <= 64 else { return false }
        let domain = parts[1]
        let labels = domain.split(separator: ".", omittingEmptySubsequences: false)
        return labels.count >= 2 && labels.allSatisfy { !$0.isEmpty && $0.count <= 63 && !$0.hasPrefix("-") && !$0.hasSuffix("-") }
            && labels.allSatisfy { $0.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" } }
    }

    /// Throws a 422 problem listing every recorded error, if any.
    public func check() throws {
        if !errors.isEmpty { throw ProblemError.validation(errors) }
    }
}
