import Crypto
import Foundation

/// AWS Signature Version 4 (docs.aws.amazon.com, "Authenticating Requests: AWS Signature
/// Version 4"): the `Authorization` header of a request, or the query of a presigned URL.
///
/// A request is given in parts — method, the path as it goes on the wire, the query items
/// unencoded, the headers — so that the canonical request is built from exactly what is sent
/// and never from a URL re-parsed on the way.
public struct SignatureV4: Sendable {
    public var credentials: S3Credentials
    public var region: String
    public var service: String

    /// The SHA-256 of nothing, the payload hash of a request without a body.
    public static let emptyPayloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    /// The payload hash of a request whose body is not signed (presigned URLs).
    public static let unsignedPayload = "UNSIGNED-PAYLOAD"

    public init(credentials: S3Credentials, region: String, service: String = "s3") {
        self.credentials = credentials
        self.region = region
        self.service = service
    }

    /// The headers to add to a request: `x-amz-date`, `x-amz-content-sha256` and `Authorization`.
    /// `headers` must hold `host` and every other header to sign (names in any case).
    public func authorization(
        method: String,
        encodedPath: String,
        query: [(String, String)],
        headers: [(String, String)],
        payloadHash: String,
        date: Date
    ) -> [(String, String)] {
        let timestamp = Self.timestamp(date)
        var signed = headers.map { ($0.0.lowercased(), Self.trimmed($0.1)) }
        signed.append(("x-amz-content-sha256", payloadHash))
        signed.append(("x-amz-date", timestamp))
        signed.sort { $0.0 < $1.0 }
        let signedHeaders = signed.map(\.0).joined(separator: ";")
        let canonical = [
            method, encodedPath, Self.canonicalQuery(query), signed.map { "\($0.0):\($0.1)\n" }.joined(), signedHeaders, payloadHash,
        ].joined(separator: "\n")
        let scope = self.scope(timestamp)
        let signature = self.signature(canonicalRequest: canonical, timestamp: timestamp, scope: scope)
        return [
            ("x-amz-content-sha256", payloadHash), ("x-amz-date", timestamp),
            ("Authorization", "AWS4-HMAC-SHA256 Credential=\(credentials.accessKey)/\(scope),SignedHeaders=\(signedHeaders),Signature=\(signature)"),
        ]
    }

    /// The query items that make a URL usable without credentials for `expires` (at most 7 days),
    /// signing only the `host` header; append them to the URL's own query.
    public func presignedQuery(
        method: String,
        encodedPath: String,
        host: String,
        query: [(String, String)],
        expires: Duration,
        date: Date
    ) -> [(String, String)] {
        let timestamp = Self.timestamp(date)
        let scope = self.scope(timestamp)
        let seconds = min(max(expires.components.seconds, 1), 604_800)
        var items =
            query + [
                ("X-Amz-Algorithm", "AWS4-HMAC-SHA256"), ("X-Amz-Credential", "\(credentials.accessKey)/\(scope)"), ("X-Amz-Date", timestamp),
                ("X-Amz-Expires", String(seconds)), ("X-Amz-SignedHeaders", "host"),
            ]
        let canonical = [method, encodedPath, Self.canonicalQuery(items), "host:\(Self.trimmed(host))\n", "host", Self.unsignedPayload].joined(
            separator: "\n"
        )
        items.append(("X-Amz-Signature", signature(canonicalRequest: canonical, timestamp: timestamp, scope: scope)))
        return Array(items.dropFirst(query.count))
    }

    private func scope(_ timestamp: String) -> String {
        "\(timestamp.prefix(8))/\(region)/\(service)/aws4_request"
    }

    private func signature(canonicalRequest: String, timestamp: String, scope: String) -> String {
        let stringToSign = ["AWS4-HMAC-SHA256", timestamp, scope, Self.hex(SHA256.hash(data: Data(canonicalRequest.utf8)))].joined(separator: "\n")
        var key = SymmetricKey(data: Data("AWS4\(credentials.secretKey)".utf8))
        for part in [String(timestamp.prefix(8)), region, service, "aws4_request"] {
            key = SymmetricKey(data: Data(HMAC<SHA256>.authenticationCode(for: Data(part.utf8), using: key)))
        }
        return Self.hex(HMAC<SHA256>.authenticationCode(for: Data(stringToSign.utf8), using: key))
    }

    /// Query items encoded and sorted by name, then value.
    static func canonicalQuery(_ items: [(String, String)]) -> String {
        let encoded: [(name: String, value: String)] = items.map { (uriEncode($0.0), uriEncode($0.1)) }
        let sorted = encoded.sorted { first, second in first.name == second.name ? first.value < second.value : first.name < second.name }
        return sorted.map { "\($0.name)=\($0.value)" }.joined(separator: "&")
    }

    /// RFC 3986 percent-encoding of everything but the unreserved characters; `/` kept when
    /// encoding a path.
    public static func uriEncode(_ value: String, keepSlash: Bool = false) -> String {
        var encoded = ""
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                encoded.append(Character(UnicodeScalar(byte)))
            case UInt8(ascii: "/") where keepSlash:
                encoded.append("/")
            default:
                encoded += String(format: "%%%02X", byte)
            }
        }
        return encoded
    }

    /// The SHA-256 of `bytes` in lowercase hex: a payload hash.
    public static func payloadHash<Bytes: Sequence>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        hex(SHA256.hash(data: Array(bytes)))
    }

    /// `yyyyMMdd'T'HHmmss'Z'` in UTC, with the C library: every request needs one, and a
    /// DateFormatter per request costs more than the signature.
    static func timestamp(_ date: Date) -> String {
        var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
        var parts = tm()
        gmtime_r(&seconds, &parts)
        return String(
            format: "%04d%02d%02dT%02d%02d%02dZ",
            Int(parts.tm_year) + 1900,
            Int(parts.tm_mon) + 1,
            Int(parts.tm_mday),
            Int(parts.tm_hour),
            Int(parts.tm_min),
            Int(parts.tm_sec)
        )
    }

    /// Leading and trailing blanks dropped, inner runs of spaces made one.
    private static func trimmed(_ value: String) -> String {
        value.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ").trimmingCharacters(in: .whitespaces)
    }

    private static func hex<D: Sequence>(_ digest: D) -> String where D.Element == UInt8 {
        digest.map { String(format: "%02x", $0) }.joined()
    }
}
