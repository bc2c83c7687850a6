import AsyncHTTPClient
import ComptoirKit
import Foundation
import Hummingbird
import NIOConcurrencyHelpers
import NIOFoundationEssentialsCompat
import NIOHTTP1
import Tracing

/// Finds the store a request is for, once per `X-Website` code or host every 30 seconds, by
/// asking the websites service; the proxy passes the id on as `X-Comptoir-Website-Id`.
final class WebsiteResolver: Sendable {
    private let httpClient: HTTPClient
    private let websitesURL: URL?
    private let telemetry: Telemetry
    private let cache = NIOLockedValueBox([String: (id: UUID, until: ContinuousClock.Instant)]())
    static let lifetime: Duration = .seconds(30)

    struct Current: Decodable {
        var id: UUID
    }

    init(httpClient: HTTPClient, websitesURL: URL?, telemetry: Telemetry = .off) {
        self.httpClient = httpClient
        self.websitesURL = websitesURL
        self.telemetry = telemetry
    }

    /// The store's id, or `nil` when this deployment has no websites service.
    func resolve(_ request: Request) async throws -> UUID? {
        guard let websitesURL else { return nil }
        let code = request.headers[.xWebsite]?.trimmingCharacters(in: .whitespaces).lowercased()
        let host = request.head.authority?.lowercased() ?? ""
        let key = code.map { "code:\($0)" } ?? "host:\(host)"
        if let hit = cache.withLockedValue({ $0[key] }), hit.until > .now { return hit.id }
        var lookup = HTTPClientRequest(url: websitesURL.appendingPathComponent("websites/current").absoluteString)
        if let code { lookup.headers.add(name: "X-Website", value: code) }
        lookup.headers.add(name: "X-Forwarded-Host", value: host)
        let (response, body) = try await telemetry.withHTTPClientSpan("GET", peer: "websites", path: "/websites/current") { span in
            if let traceparent = telemetry.traceparent() { lookup.headers.add(name: "traceparent", value: traceparent) }
            let response: HTTPClientResponse
            do {
                response = try await httpClient.execute(lookup, timeout: .seconds(2))
            } catch {
                throw ProblemError(.serviceUnavailable, "The store for this request cannot be determined right now.")
            }
            span?.record(status: Int(response.status.code))
            return (response, try await response.body.collect(upTo: 64 * 1024))
        }
        if response.status == .notFound { throw ProblemError.notFound("website with code \(code ?? host)") }
        guard response.status == .ok, let current = try? JSONDecoder().decode(Current.self, from: body) else {
            throw ProblemError(.serviceUnavailable, "The store for this request cannot be determined right now.")
        }
        cache.withLockedValue { cache in
            if cache.count > 10_000 { cache.removeAll() }
            cache[key] = (current.id, .now + Self.lifetime)
        }
        return current.id
    }
}
