import ComptoirKit
import HTTPTypes
import Hummingbird

/// Headers that make browsers safer with everything the gateway serves.
struct SecurityHeadersMiddleware: RouterMiddleware {
    typealias Context = ComptoirRequestContext
    /// Adds `Strict-Transport-Security` when the gateway itself speaks TLS.
    let tls: Bool
    let contentSecurityPolicy: String

    /// `imageOrigins`: where else pictures may come from (the object store, when downloads are
    /// presigned URLs of it).
    init(tls: Bool, imageOrigins: [String] = []) {
        self.tls = tls
        let images = (["'self'", "data:", "blob:"] + imageOrigins).joined(separator: " ")
        self.contentSecurityPolicy =
            """
            default-src 'self'; img-src \(images); style-src 'self'; script-src 'self'; connect-src 'self'; \
            frame-ancestors 'none'; base-uri 'none'; form-action 'self'
            """
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response = try await next(request, context)
        response.headers[.xContentTypeOptions] = "nosniff"
        response.headers[.xFrameOptions] = "DENY"
        response.headers[.referrerPolicy] = "no-referrer"
        response.headers[.crossOriginOpenerPolicy] = "same-origin"
        response.headers[.contentSecurityPolicy] = contentSecurityPolicy
        if tls { response.headers[.strictTransportSecurity] = "max-age=31536000; includeSubDomains" }
        return response
    }
}

extension HTTPField.Name {
    static let xContentTypeOptions = Self("X-Content-Type-Options")!  // trap-checked: a literal, valid field name
    static let xFrameOptions = Self("X-Frame-Options")!  // trap-checked: a literal, valid field name
    static let referrerPolicy = Self("Referrer-Policy")!  // trap-checked: a literal, valid field name
    static let crossOriginOpenerPolicy = Self("Cross-Origin-Opener-Policy")!  // trap-checked: a literal, valid field name
}
