/// What a template's source may hold, checked before the Mustache library parses it, because
/// some sources stop the library's whole process instead of failing to parse:
///
/// - it recurses once per nested section (`{{#a}}`, `{{^a}}`, `{{$a}}`, `{{<a}}`) and once per
///   nested transform (`{{a(b(c))}}`), so a few thousand of them overflow the stack;
/// - it traps (a reversed range) on a section closed right after it opens once `{{=< >=}}`
///   made the delimiters one character long.
///
/// So sections nest at most ``maximumNesting`` deep, a tag applies at most
/// ``maximumTransforms`` transforms, and delimiters keep their `{{ }}` (mails never need others).
/// Tags are found as the library finds them, character by character: the leftmost `{{`, the
/// character after it for the kind, then the first `}}`; a `{` that a combining mark joins is
/// no brace, for the library as for this check.
enum MustacheSourceCheck {
    static let maximumNesting = 16
    static let maximumTransforms = 4

    /// Why `source` is refused, for a 422 on its field; `nil` if the library may parse it.
    static func problem(in source: String) -> String? {
        enum Place { case text, kind, tag }
        var place = Place.text
        var braceBefore = false
        var kind: Character = " "
        var depth = 0
        var transforms = 0
        for character in source {
            switch place {
            case .text:
                if character == "{", braceBefore {
                    place = .kind
                    braceBefore = false
                } else {
                    braceBefore = character == "{"
                }
            case .kind:
                kind = character
                transforms = character == "(" ? 1 : 0
                switch character {
                case "=": return "must keep the {{ }} delimiters: a {{=…=}} tag is not supported"
                case "#", "^", "$", "<":
                    depth += 1
                    if depth > maximumNesting { return "must not nest sections more than \(maximumNesting) deep" }
                case "/": depth = max(depth - 1, 0)
                default: break
                }
                place = .tag
                braceBefore = character == "}"
            case .tag:
                if character == "}", braceBefore {
                    place = .text
                    braceBefore = false
                    continue
                }
                braceBefore = character == "}"
                if character == "(", kind != "!" {
                    transforms += 1
                    if transforms > maximumTransforms { return "must not apply more than \(maximumTransforms) transforms in one tag" }
                }
            }
        }
        return nil
    }
}
