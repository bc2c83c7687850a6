import Foundation
import NIOCore

/// The properties of a message (the basic class's content header).
public struct AMQPProperties: Sendable, Equatable {
    public var contentType: String?
    public var contentEncoding: String?
    public var headers: AMQPTable?
    /// 2 = persistent (written to disk by the broker), 1 = transient.
    public var deliveryMode: UInt8?
    public var priority: UInt8?
    public var correlationId: String?
    public var replyTo: String?
    public var expiration: String?
    public var messageId: String?
    public var timestamp: Date?
    public var type: String?
    public var userId: String?
    public var appId: String?

    public init(
        contentType: String? = nil,
        contentEncoding: String? = nil,
        headers: AMQPTable? = nil,
        deliveryMode: UInt8? = nil,
        priority: UInt8? = nil,
        correlationId: String? = nil,
        replyTo: String? = nil,
        expiration: String? = nil,
        messageId: String? = nil,
        timestamp: Date? = nil,
        type: String? = nil,
        userId: String? = nil,
        appId: String? = nil
    ) {
        self.contentType = contentType
        self.contentEncoding = contentEncoding
        self.headers = headers
        self.deliveryMode = deliveryMode
        self.priority = priority
        self.correlationId = correlationId
        self.replyTo = replyTo
        self.expiration = expiration
        self.messageId = messageId
        self.timestamp = timestamp
        self.type = type
        self.userId = userId
        self.appId = appId
    }

    /// A persistent message: the broker keeps it on disk (quorum queues always do).
    public static let persistent = AMQPProperties(deliveryMode: 2)

    func encode(into buffer: inout ByteBuffer) throws {
        var flags: UInt16 = 0
        let present: [Bool] = [
            contentType != nil, contentEncoding != nil, headers != nil, deliveryMode != nil, priority != nil, correlationId != nil,
            replyTo != nil, expiration != nil, messageId != nil, timestamp != nil, type != nil, userId != nil, appId != nil,
        ]
        for (index, isPresent) in present.enumerated() where isPresent { flags |= 1 << (15 - index) }
        buffer.writeInteger(flags)
        if let contentType { try buffer.writeShortString(contentType) }
        if let contentEncoding { try buffer.writeShortString(contentEncoding) }
        if let headers { try buffer.writeTable(headers) }
        if let deliveryMode { buffer.writeInteger(deliveryMode) }
        if let priority { buffer.writeInteger(priority) }
        if let correlationId { try buffer.writeShortString(correlationId) }
        if let replyTo { try buffer.writeShortString(replyTo) }
        if let expiration { try buffer.writeShortString(expiration) }
        if let messageId { try buffer.writeShortString(messageId) }
        if let timestamp { buffer.writeInteger(UInt64(max(0, timestamp.timeIntervalSince1970))) }
        if let type { try buffer.writeShortString(type) }
        if let userId { try buffer.writeShortString(userId) }
        if let appId { try buffer.writeShortString(appId) }
    }

    static func decode(from buffer: inout ByteBuffer) throws -> AMQPProperties {
        let flags: UInt16 = try buffer.readAMQPInteger()
        func has(_ index: Int) -> Bool { flags & (1 << (15 - index)) != 0 }
        var properties = AMQPProperties()
        if has(0) { properties.contentType = try buffer.readShortString() }
        if has(1) { properties.contentEncoding = try buffer.readShortString() }
        if has(2) { properties.headers = try buffer.readTable() }
        if has(3) { properties.deliveryMode = try buffer.readAMQPInteger() }
        if has(4) { properties.priority = try buffer.readAMQPInteger() }
        if has(5) { properties.correlationId = try buffer.readShortString() }
        if has(6) { properties.replyTo = try buffer.readShortString() }
        if has(7) { properties.expiration = try buffer.readShortString() }
        if has(8) { properties.messageId = try buffer.readShortString() }
        if has(9) { properties.timestamp = Date(timeIntervalSince1970: TimeInterval(try buffer.readAMQPInteger(as: UInt64.self))) }
        if has(10) { properties.type = try buffer.readShortString() }
        if has(11) { properties.userId = try buffer.readShortString() }
        if has(12) { properties.appId = try buffer.readShortString() }
        if has(13) { _ = try buffer.readShortString() }  // cluster-id, deprecated
        return properties
    }
}
