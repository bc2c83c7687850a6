import Hummingbird

/// The API routes anyone may call without a token (API.md's "public" rows). Every other route
/// needs a valid access token at the gateway, and the service checks it again with its roles.
enum PublicRoutes {
    struct Rule: Sendable {
        var method: HTTPRequest.Method
        /// Path segments after `/api/v1`; `*` matches one segment, a trailing `**` any rest.
        var pattern: [Substring]

        func matches(_ method: HTTPRequest.Method, _ segments: [Substring]) -> Bool {
            guard method == self.method || (self.method == .get && method == .head) else { return false }
            for (index, part) in pattern.enumerated() {
                if part == "**" { return true }
                guard index < segments.count, part == "*" || part == segments[index] else { return false }
            }
            return segments.count == pattern.count
        }
    }

    static let rules: [Rule] = [
        (HTTPRequest.Method.post, "auth/register"), (.post, "auth/login"), (.post, "auth/refresh"), (.get, "auth/jwks.json"),
        (.post, "auth/password/forgot"), (.post, "auth/password/reset"),
        (.get, "products"), (.get, "products/*"), (.get, "products/*/images/*"), (.get, "categories"),
        (.get, "websites/current"), (.get, "deliveries/track/*"), (.post, "contacts"),
        (.post, "newsletters/subscriptions"), (.get, "newsletters/subscriptions/confirm"), (.post, "newsletters/unsubscribe"),
        (.get, "questions"), (.get, "questions/*"),
    ].map { Rule(method: $0.0, pattern: $0.1.split(separator: "/")) }

    /// Whether `method path` (path without `/api/v1`) is public. A service's audit trail
    /// (`<service>/audit-trail`, admins only) never is, though `products/*` would match it.
    static func isPublic(_ method: HTTPRequest.Method, path: String) -> Bool {
        let segments = path.split(separator: "/")
        if segments.count == 2, segments[1] == "audit-trail" { return false }
        return rules.contains { $0.matches(method, segments) }
    }
}
