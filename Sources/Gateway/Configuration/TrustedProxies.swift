import ComptoirKit

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The proxies whose `X-Forwarded-For` the gateway believes (`COMPTOIR_TRUSTED_PROXIES`): exact
/// addresses and CIDR ranges, IPv4 or IPv6, such as `10.0.0.5`, `10.244.0.0/16` or `fd00::/8`.
///
/// Ranges matter in a cluster: the ingress controller's pods have no fixed address, only the pod
/// network's range.
public struct TrustedProxies: Sendable, Equatable {
    struct Range: Sendable, Equatable {
        var network: [UInt8]
        var prefixLength: Int

        func contains(_ address: [UInt8]) -> Bool {
            guard address.count == network.count else { return false }
            var remaining = prefixLength
            for (byte, networkByte) in zip(address, network) where remaining > 0 {
                let bits = min(remaining, 8)
                let mask = UInt8(truncatingIfNeeded: 0xFF << (8 - bits))
                if byte & mask != networkByte & mask { return false }
                remaining -= bits
            }
            return true
        }
    }

    private let ranges: [Range]

    /// Trusts nobody.
    public init() { ranges = [] }

    /// Parses `address` or `address/prefix` entries; an invalid one is a ``ConfigurationError``.
    public init(_ entries: [String], variable: String = "COMPTOIR_TRUSTED_PROXIES") throws {
        ranges = try entries.map { entry in
            let parts = entry.split(separator: "/", omittingEmptySubsequences: false)
            guard parts.count <= 2, let address = Self.bytes(of: String(parts[0])) else {
                throw ConfigurationError(variable, "'\(entry)' is not an IP address or a CIDR range such as 10.0.0.0/8")
            }
            let bits = address.count * 8
            guard let prefix = parts.count == 2 ? Int(parts[1]) : bits, (0...bits).contains(prefix) else {
                throw ConfigurationError(variable, "'\(entry)' has a prefix length outside 0...\(bits)")
            }
            return Range(network: address, prefixLength: prefix)
        }
    }

    /// Whether `ip` (as a socket reports it) is one of the trusted proxies.
    public func contains(_ ip: String) -> Bool {
        guard !ranges.isEmpty, let address = Self.bytes(of: ip) else { return false }
        return ranges.contains { $0.contains(address) }
    }

    public var isEmpty: Bool { ranges.isEmpty }

    /// The 4 or 16 bytes of an IPv4 or IPv6 address in text form, or `nil`.
    static func bytes(of text: String) -> [UInt8]? {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 { return withUnsafeBytes(of: &v4) { Array($0) } }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, text, &v6) == 1 { return withUnsafeBytes(of: &v6) { Array($0) } }
        return nil
    }
}
