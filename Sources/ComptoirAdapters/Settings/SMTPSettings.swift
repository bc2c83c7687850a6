import ComptoirKit
import Foundation
import NIOSSL
import SMTP

/// Outgoing mail through SMTP (`COMPTOIR_SMTP_URL`, with `COMPTOIR_SMTP_CA_FILE` to trust a
/// private certificate authority and `COMPTOIR_SMTP_TIMEOUT` per reply).
public struct SMTPSettings: Sendable {
    public var client: SMTPConfiguration

    /// `nil` when `COMPTOIR_SMTP_URL` is unset: mail is written as `.eml` files.
    public init?(environment env: EnvironmentReader) throws {
        guard let url = env.string("COMPTOIR_SMTP_URL") else { return nil }
        do {
            client = try SMTPConfiguration(url: url)
        } catch {
            throw ConfigurationError(
                "COMPTOIR_SMTP_URL",
                """
                must look like smtp://user:password@host:587 (STARTTLS when offered; ?tls=required or ?tls=none), \
                or smtps://… for TLS from the start (got "\(EnvironmentReader.redacted(url))")
                """
            )
        }
        if let caFile = env.string("COMPTOIR_SMTP_CA_FILE") {
            guard FileManager.default.isReadableFile(atPath: caFile), let roots = try? NIOSSLCertificate.fromPEMFile(caFile), !roots.isEmpty else {
                throw ConfigurationError("COMPTOIR_SMTP_CA_FILE", "must be a readable PEM file of certificates (got \"\(caFile)\")")
            }
            client.tls.trustRoots = .certificates(roots)
        }
        client.commandTimeout = try env.duration("COMPTOIR_SMTP_TIMEOUT", default: .seconds(30))
        client.heloName = env.string("COMPTOIR_SMTP_HELO") ?? ProcessInfo.processInfo.hostName
    }
}
