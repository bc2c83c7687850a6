/// A value of the Redis serialization protocol, RESP2 or RESP3.
///
/// RESP2 servers only ever send simple strings, errors, integers, bulk strings, arrays and
/// null; RESP3 adds the other cases.
public enum RESPValue: Sendable, Hashable {
    case simpleString(String)
    /// An error reply (`-ERR …` or a RESP3 blob error); ``RedisClient`` throws these as ``RedisError/server(code:message:)``.
    case error(String)
    case integer(Int64)
    case bulkString([UInt8])
    case null
    case array([RESPValue])
    case double(Double)
    case boolean(Bool)
    /// A RESP3 big number, kept as its decimal text.
    case bigNumber(String)
    /// A RESP3 verbatim string without its three-letter format.
    case verbatimString(String)
    case map([RESPValue: RESPValue])
    case set(Set<RESPValue>)
    /// A RESP3 out-of-band push message (pub/sub, client tracking).
    case push([RESPValue])

    /// The value as bytes when it is a string of any kind or an integer.
    public var bytes: [UInt8]? {
        switch self {
        case .bulkString(let bytes): bytes
        case .simpleString(let string), .verbatimString(let string), .bigNumber(let string): Array(string.utf8)
        case .integer(let value): Array(String(value).utf8)
        default: nil
        }
    }

    /// The value as UTF-8 text when it is a string of any kind or an integer.
    public var string: String? {
        bytes.map { String(decoding: $0, as: UTF8.self) }
    }

    /// The value as an integer when it is one, or a string holding one.
    public var int: Int64? {
        switch self {
        case .integer(let value): value
        case .boolean(let value): value ? 1 : 0
        default: string.flatMap { Int64($0) }
        }
    }

    /// The elements of an array, set or push message.
    public var elements: [RESPValue]? {
        switch self {
        case .array(let values), .push(let values): values
        case .set(let values): Array(values)
        default: nil
        }
    }

    public var isNull: Bool { self == .null }
}
