import NIOCore

/// Turns the bytes a Redis server sends into ``RESPValue``s, RESP2 and RESP3 alike.
///
/// A value split across reads is left in the buffer until it is whole; attributes (`|`) are
/// read and dropped, as the commands we send never ask for them.
struct RESPDecoder: ByteToMessageDecoder {
    typealias InboundOut = RESPValue

    /// Longer bulk strings than Redis itself allows (512 MiB) mean the stream is broken.
    static let maximumBulkLength = 512 * 1024 * 1024
    /// Deeper nesting than any reply of ours means the stream is broken; it also bounds recursion.
    static let maximumDepth = 32

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let value = try Self.parse(&buffer) else { return .needMoreData }
        context.fireChannelRead(wrapInboundOut(value))
        return .continue
    }

    /// Reads one whole value, or nothing (leaving `buffer` untouched) when more bytes are needed.
    static func parse(_ buffer: inout ByteBuffer) throws -> RESPValue? {
        var copy = buffer
        guard let value = try parseValue(&copy, depth: 0) else { return nil }
        buffer = copy
        return value
    }

    private static func parseValue(_ buffer: inout ByteBuffer, depth: Int) throws -> RESPValue? {
        guard depth < maximumDepth else { throw RedisError.protocolError("replies nested deeper than \(maximumDepth)") }
        guard let marker = buffer.readInteger(as: UInt8.self) else { return nil }
        switch marker {
        case UInt8(ascii: "+"):
            return try readLine(&buffer).map { .simpleString($0) }
        case UInt8(ascii: "-"):
            return try readLine(&buffer).map { .error($0) }
        case UInt8(ascii: ":"):
            guard let line = try readLine(&buffer) else { return nil }
            guard let value = Int64(line) else { throw RedisError.protocolError("bad integer \"\(line.prefix(40))\"") }
            return .integer(value)
        case UInt8(ascii: "$"):
            guard let bytes = try readBlob(&buffer) else { return nil }
            return bytes.map { .bulkString($0) } ?? .null
        case UInt8(ascii: "!"):
            guard let bytes = try readBlob(&buffer) else { return nil }
            return .error(String(decoding: bytes ?? [], as: UTF8.self))
        case UInt8(ascii: "="):
            guard let bytes = try readBlob(&buffer) else { return nil }
            // "txt:" or "mkd:" comes before the text.
            return .verbatimString(String(decoding: (bytes ?? []).dropFirst(4), as: UTF8.self))
        case UInt8(ascii: "_"):
            return try readLine(&buffer).map { _ in .null }
        case UInt8(ascii: "#"):
            guard let line = try readLine(&buffer) else { return nil }
            guard line == "t" || line == "f" else { throw RedisError.protocolError("bad boolean \"\(line.prefix(40))\"") }
            return .boolean(line == "t")
        case UInt8(ascii: ","):
            guard let line = try readLine(&buffer) else { return nil }
            switch line {
            case "inf": return .double(.infinity)
            case "-inf": return .double(-.infinity)
            case "nan": return .double(.nan)
            default:
                guard let value = Double(line) else { throw RedisError.protocolError("bad double \"\(line.prefix(40))\"") }
                return .double(value)
            }
        case UInt8(ascii: "("):
            return try readLine(&buffer).map { .bigNumber($0) }
        case UInt8(ascii: "*"), UInt8(ascii: "~"), UInt8(ascii: ">"):
            guard let count = try readCount(&buffer) else { return nil }
            guard count >= 0 else { return .null }
            var values: [RESPValue] = []
            values.reserveCapacity(min(count, 1024))
            for _ in 0..<count {
                guard let value = try parseValue(&buffer, depth: depth + 1) else { return nil }
                values.append(value)
            }
            switch marker {
            case UInt8(ascii: "~"): return .set(Set(values))
            case UInt8(ascii: ">"): return .push(values)
            default: return .array(values)
            }
        case UInt8(ascii: "%"), UInt8(ascii: "|"):
            guard let count = try readCount(&buffer) else { return nil }
            var map: [RESPValue: RESPValue] = [:]
            for _ in 0..<max(count, 0) {
                guard let key = try parseValue(&buffer, depth: depth + 1), let value = try parseValue(&buffer, depth: depth + 1) else { return nil }
                map[key] = value
            }
            if marker == UInt8(ascii: "|") {
                // An attribute decorates the value that follows it; we keep the value only.
                return try parseValue(&buffer, depth: depth)
            }
            return .map(map)
        default:
            throw RedisError.protocolError("unknown type marker 0x\(String(marker, radix: 16))")
        }
    }

    /// Reads up to CRLF; `nil` when the line is not complete yet.
    private static func readLine(_ buffer: inout ByteBuffer) throws -> String? {
        let view = buffer.readableBytesView
        guard let lf = view.firstIndex(of: UInt8(ascii: "\n")) else {
            if view.count > 64 * 1024 { throw RedisError.protocolError("line longer than 64 KiB") }
            return nil
        }
        guard lf > view.startIndex, view[lf - 1] == UInt8(ascii: "\r") else { throw RedisError.protocolError("line not ended by CRLF") }
        let length = lf - 1 - view.startIndex
        let line = buffer.readString(length: length)!  // trap-checked: 0 <= length < readable bytes, the LF found above is after it
        buffer.moveReaderIndex(forwardBy: 2)
        return line
    }

    private static func readCount(_ buffer: inout ByteBuffer) throws -> Int? {
        guard let line = try readLine(&buffer) else { return nil }
        guard let count = Int(line), count >= -1, count <= maximumBulkLength else {
            throw RedisError.protocolError("bad length \"\(line.prefix(40))\"")
        }
        return count
    }

    /// A length-prefixed string: `.some(nil)` for the RESP2 null bulk string, `nil` when incomplete.
    private static func readBlob(_ buffer: inout ByteBuffer) throws -> [UInt8]?? {
        guard let count = try readCount(&buffer) else { return nil }
        guard count >= 0 else { return .some(nil) }
        guard buffer.readableBytes >= count + 2 else { return nil }
        let bytes = buffer.readBytes(length: count)!  // trap-checked: count >= 0 and count + 2 bytes are readable (checked above)
        guard buffer.readBytes(length: 2) == [UInt8(ascii: "\r"), UInt8(ascii: "\n")] else {
            throw RedisError.protocolError("bulk string not ended by CRLF")
        }
        return .some(bytes)
    }
}
