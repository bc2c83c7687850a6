import Foundation
import HTTPTypes
import Hummingbird

/// A W3C trace context `traceparent` header: `00-<trace id>-<parent id>-<flags>`.
public struct TraceParent: Sendable, Equatable {
    public static let headerName = HTTPField.Name("traceparent")!  // trap-checked: a literal, valid field name
    public var traceID: String
    public var parentID: String
    public var flags: String

    /// Parses a header, refusing malformed or all-zero ids as the specification requires.
    /// Only ASCII `0-9a-f` are hex digits here: `Character.isHexDigit` also takes fullwidth forms,
    /// which would travel on to every service, the outbox and the traces.
    public init?(_ header: String) {
        let parts = header.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 4, parts[0] == "00", parts[1].utf8.count == 32, parts[2].utf8.count == 16, parts[3].utf8.count == 2,
            parts.allSatisfy({ $0.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) } }),
            parts[1] != String(repeating: "0", count: 32), parts[2] != String(repeating: "0", count: 16)
        else { return nil }
        self.traceID = String(parts[1])
        self.parentID = String(parts[2])
        self.flags = String(parts[3])
    }

    init(traceID: String, parentID: String, flags: String) {
        self.traceID = traceID
        self.parentID = parentID
        self.flags = flags
    }

    /// A new trace, sampled.
    public static func random() -> TraceParent {
        TraceParent(traceID: randomHex(bytes: 16), parentID: randomHex(bytes: 8), flags: "01")
    }

    /// The same trace with a new span id, for the next hop.
    public func child() -> TraceParent {
        TraceParent(traceID: traceID, parentID: Self.randomHex(bytes: 8), flags: flags)
    }

    public var header: String { "00-\(traceID)-\(parentID)-\(flags)" }

    /// `bytes` random bytes as lower-case hex. On every request the gateway does not trace, so
    /// written with a table rather than `String(format:)`, whose Foundation formatting cost more
    /// than the tracing it stands in for (bench/product-reads --compare tracing), and drawn eight
    /// bytes at a time: each draw is a `getrandom` system call (one per byte was 2 % of a
    /// proxied read).
    static func randomHex(bytes: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        var text: [UInt8] = []
        text.reserveCapacity(bytes * 2)
        var word: UInt64 = 0
        for index in 0..<bytes {
            if index % 8 == 0 { word = generator.next() }
            let byte = UInt8(truncatingIfNeeded: word >> (UInt64(index % 8) * 8))
            text.append(hexDigits[Int(byte >> 4)])
            text.append(hexDigits[Int(byte & 0x0F)])
        }
        return String(decoding: text, as: UTF8.self)
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)
}
