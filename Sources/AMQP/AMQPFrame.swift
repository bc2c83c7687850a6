import NIOCore

/// One AMQP frame: a method, a content header, a piece of a body, or a heartbeat.
enum AMQPFrame: Sendable, Equatable {
    case method(channel: UInt16, AMQPMethod)
    case header(channel: UInt16, bodySize: UInt64, properties: AMQPProperties)
    case body(channel: UInt16, ByteBuffer)
    case heartbeat

    static let frameEnd: UInt8 = 0xCE
    /// What a connection says first: the protocol name and version 0-9-1.
    static let protocolHeader: [UInt8] = Array("AMQP".utf8) + [0, 0, 9, 1]

    var channel: UInt16 {
        switch self {
        case .method(let channel, _), .header(let channel, _, _), .body(let channel, _): channel
        case .heartbeat: 0
        }
    }

    func encode(into buffer: inout ByteBuffer) throws {
        let type: UInt8
        switch self {
        case .method: type = 1
        case .header: type = 2
        case .body: type = 3
        case .heartbeat: type = 8
        }
        buffer.writeInteger(type)
        buffer.writeInteger(channel)
        let sizeIndex = buffer.writerIndex
        buffer.writeInteger(UInt32(0))
        let start = buffer.writerIndex
        switch self {
        case .method(_, let method):
            try method.encode(into: &buffer)
        case .header(_, let bodySize, let properties):
            buffer.writeInteger(UInt16(60))  // basic class
            buffer.writeInteger(UInt16(0))  // weight
            buffer.writeInteger(bodySize)
            try properties.encode(into: &buffer)
        case .body(_, var bytes):
            buffer.writeBuffer(&bytes)
        case .heartbeat:
            break
        }
        buffer.setInteger(UInt32(buffer.writerIndex - start), at: sizeIndex)
        buffer.writeInteger(Self.frameEnd)
    }
}

/// Reads frames; a frame larger than the negotiated maximum or not ended by 0xCE breaks the stream.
struct AMQPFrameDecoder: ByteToMessageDecoder {
    typealias InboundOut = AMQPFrame

    /// The largest frame accepted (the broker's frame-max is at most this after tuning).
    var maximumFrameSize = 4 * 1024 * 1024

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        let start = buffer.readerIndex
        // Type, channel and payload size: the first 7 bytes.
        guard let type = buffer.getInteger(at: start, as: UInt8.self), let channel = buffer.getInteger(at: start + 1, as: UInt16.self),
            let size = buffer.getInteger(at: start + 3, as: UInt32.self).map({ Int($0) })
        else { return .needMoreData }
        guard size <= maximumFrameSize else { throw AMQPError.protocolError("a frame of \(size) bytes is larger than allowed") }
        guard buffer.readableBytes >= 7 + size + 1 else { return .needMoreData }
        buffer.moveReaderIndex(forwardBy: 7)
        var payload = buffer.readSlice(length: size)!  // trap-checked: 7 + size + 1 bytes are readable (checked above), 7 skipped
        guard buffer.readInteger(as: UInt8.self) == AMQPFrame.frameEnd else { throw AMQPError.protocolError("frame not ended by 0xCE") }
        let frame: AMQPFrame
        switch type {
        case 1:
            frame = .method(channel: channel, try AMQPMethod.decode(from: &payload))
        case 2:
            _ = try payload.readAMQPInteger(as: UInt16.self)  // class
            _ = try payload.readAMQPInteger(as: UInt16.self)  // weight
            let bodySize: UInt64 = try payload.readAMQPInteger()
            frame = .header(channel: channel, bodySize: bodySize, properties: try AMQPProperties.decode(from: &payload))
        case 3:
            frame = .body(channel: channel, payload)
        case 8:
            frame = .heartbeat
        default:
            throw AMQPError.protocolError("unknown frame type \(type)")
        }
        context.fireChannelRead(wrapInboundOut(frame))
        return .continue
    }
}
