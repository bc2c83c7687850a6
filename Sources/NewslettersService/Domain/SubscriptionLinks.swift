import ComptoirKit
import Foundation
import HTTPTypes

/// The signed links of subscription mails: confirm (valid two days) and unsubscribe (valid
/// 400 days, longer than anyone keeps a newsletter before clicking it).
struct SubscriptionLinks: Sendable {
    let key: SigningKey
    let publicURL: URL

    static let confirmLifetime: TimeInterval = 2 * 86_400
    static let unsubscribeLifetime: TimeInterval = 400 * 86_400

    func confirmURL(email: String, websiteId: UUID) throws -> String {
        let token = try LinkToken(purpose: "confirm", email: email, websiteId: websiteId, expiresAt: Date().addingTimeInterval(Self.confirmLifetime))
            .signed(with: key)
        // The storefront's page, which confirms through the API and says so in the shop's words.
        return url("/#/newsletter/confirm", token: token)
    }

    func unsubscribeURL(email: String, websiteId: UUID) throws -> String {
        let token = try LinkToken(
            purpose: "unsubscribe",
            email: email,
            websiteId: websiteId,
            expiresAt: Date().addingTimeInterval(Self.unsubscribeLifetime)
        )
        .signed(with: key)
        return url("/api/v1/newsletters/unsubscribe", token: token)
    }

    /// The claims of a link's token, or the problem to answer: 400 for a forged or garbled token, 410 for an expired one.
    func verify(_ token: String, purpose: String) throws -> LinkToken {
        do {
            return try LinkToken.verify(token, purpose: purpose, key: key)
        } catch .expired {
            throw ProblemError(.gone, "This link has expired.")
        } catch {
            throw ProblemError.badRequest("This link is not valid.")
        }
    }

    private func url(_ path: String, token: String) -> String { publicURL.link(path, token: token) }
}

extension URL {
    /// `<this address><path>?token=<token>`: a link in a mail, to the API or a storefront page.
    func link(_ path: String, token: String) -> String {
        absoluteString.trimmingCharacters(in: CharacterSet(charactersIn: "/")) + path + "?token=" + token
    }
}
