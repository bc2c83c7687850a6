import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

extension Request {
    /// The client's IP address. Services sit behind the gateway, which appends the address it saw
    /// to `X-Forwarded-For`; so the last entry is the one to believe, and the TCP peer otherwise.
    /// (Services must therefore only be reachable through the gateway: see docs/deployment.)
    public func clientIP(context: ComptoirRequestContext) -> String? {
        if let forwarded = headers[.xForwardedFor]?.split(separator: ",").last?.trimmingCharacters(in: .whitespaces), !forwarded.isEmpty {
            return String(forwarded.prefix(64))
        }
        return context.remoteAddress?.ipAddress
    }
}

extension HTTPField.Name {
    public static let xForwardedFor = HTTPField.Name("X-Forwarded-For")!  // trap-checked: a literal, valid field name
    public static let xWebsite = HTTPField.Name("X-Website")!  // trap-checked: a literal, valid field name
    public static let xForwardedHost = HTTPField.Name("X-Forwarded-Host")!  // trap-checked: a literal, valid field name
}
