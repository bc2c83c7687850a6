import NIOCore

/// One reply of the server: a three-digit code and its lines of text (RFC 5321, 4.2).
public struct SMTPReply: Sendable, Equatable {
    public var code: Int
    public var lines: [String]

    public var message: String { lines.joined(separator: " ") }

    /// Throws the reply as an error unless its code is `expected`.
    func expect(_ expected: Int...) throws {
        guard !expected.contains(code) else { return }
        switch code {
        case 400..<500: throw SMTPError.temporary(code: code, message: message)
        case 500..<600: throw SMTPError.permanent(code: code, message: message)
        default: throw SMTPError.protocolError("unexpected reply \(code) \(message)")
        }
    }
}

/// Cuts the byte stream into replies: lines ending in CRLF, `250-…` continued up to `250 …`.
struct SMTPReplyDecoder: ByteToMessageDecoder {
    typealias InboundOut = SMTPReply

    /// A reply longer than this is not one a mail server sends.
    static let maximumLength = 64 * 1024
    private var lines: [String] = []

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let end = buffer.readableBytesView.firstIndex(of: UInt8(ascii: "\n")) else {
            if buffer.readableBytes > Self.maximumLength { throw SMTPError.protocolError("reply line too long") }
            return .needMoreData
        }
        // `end` indexes the readable bytes (the view starts at the reader index): the line up to its LF is there.
        var line = buffer.readString(length: end - buffer.readerIndex + 1)!  // trap-checked: readerIndex <= end < writerIndex
        line.removeLast()
        if line.hasSuffix("\r") { line.removeLast() }
        let bytes = Array(line.utf8)
        guard bytes.count >= 3, let code = Int(String(decoding: bytes[0..<3], as: UTF8.self)), (200..<600).contains(code) else {
            throw SMTPError.protocolError("not a reply: \(line.prefix(80))")
        }
        let text = bytes.count > 4 ? String(decoding: bytes[4...], as: UTF8.self) : ""
        lines.append(text)
        if bytes.count > 3, bytes[3] == UInt8(ascii: "-") { return .continue }
        context.fireChannelRead(wrapInboundOut(SMTPReply(code: code, lines: lines)))
        lines = []
        return .continue
    }
}
