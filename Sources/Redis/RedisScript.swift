import Crypto

/// A Lua script known by its SHA-1, run with EVALSHA and sent in full only when the server
/// has not seen it yet (see ``RedisClient/run(_:keys:arguments:)``).
public struct RedisScript: Sendable, Hashable {
    public let source: String
    /// The lower-case hex SHA-1 of the source, as Redis names scripts.
    public let sha: String

    public init(_ source: String) {
        self.source = source
        self.sha = Insecure.SHA1.hash(data: Array(source.utf8)).map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }
}
