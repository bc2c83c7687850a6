import Foundation
import NIOCore
import NIOEmbedded
import Testing

@testable import AMQP

@Suite struct AMQPCodecTests {
    @Test func fieldTablesRoundTripEveryType() throws {
        let table: AMQPTable = [
            "bool": .bool(true), "i8": .int8(-3), "u8": .uint8(200), "i16": .int16(-300), "u16": .uint16(60000), "i32": .int32(-70000),
            "u32": .uint32(4_000_000_000), "i64": .int64(-9_000_000_000), "float": .float(1.5), "double": .double(-2.25),
            "decimal": .decimal(scale: 2, value: 12345), "text": .string("héllo"), "bytes": .bytes([0, 1, 255]),
            "array": .array([.int32(1), .string("two")]), "time": .timestamp(Date(timeIntervalSince1970: 1_700_000_000)),
            "nested": .table(["x-queue-type": .string("quorum")]), "void": .void,
        ]
        var buffer = ByteBuffer()
        try buffer.writeTable(table)
        #expect(try buffer.readTable() == table)
        #expect(buffer.readableBytes == 0)
    }

    @Test func propertiesRoundTrip() throws {
        let properties = AMQPProperties(
            contentType: "application/json",
            headers: ["x-attempt": .int32(2)],
            deliveryMode: 2,
            messageId: "0f8e",
            timestamp: Date(timeIntervalSince1970: 1_700_000_000),
            type: "orders.order.placed",
            appId: "orders"
        )
        var buffer = ByteBuffer()
        try properties.encode(into: &buffer)
        #expect(try AMQPProperties.decode(from: &buffer) == properties)
    }

    @Test func framesRoundTripThroughTheDecoder() throws {
        let frames: [AMQPFrame] = [
            .method(channel: 1, .basicPublish(exchange: "comptoir.events", routingKey: "orders.order.placed", mandatory: false)),
            .header(channel: 1, bodySize: 5, properties: .persistent),
            .body(channel: 1, ByteBuffer(string: "hello")),
            .heartbeat,
        ]
        var wire = ByteBuffer()
        for frame in frames { try frame.encode(into: &wire) }
        let channel = EmbeddedChannel(handler: ByteToMessageHandler(AMQPFrameDecoder()))
        // One byte at a time: a frame split anywhere waits for the rest.
        while let byte = wire.readSlice(length: 1) { try channel.writeInbound(byte) }
        var decoded: [AMQPFrame] = []
        while let frame = try channel.readInbound(as: AMQPFrame.self) { decoded.append(frame) }
        // basic.publish is client-only: read back, it is an "unknown" method with the same ids.
        #expect(decoded.count == 4)
        #expect(decoded[0] == .method(channel: 1, .unknown(classId: 60, methodId: 40)))
        #expect(Array(decoded[1...]) == Array(frames[1...]))
        _ = try channel.finish()
    }

    @Test func serverMethodsDecode() throws {
        var buffer = ByteBuffer()
        buffer.writeInteger(UInt16(60))
        buffer.writeInteger(UInt16(60))
        try buffer.writeShortString("ctag")
        buffer.writeInteger(UInt64(42))
        buffer.writeInteger(UInt8(1))
        try buffer.writeShortString("comptoir.events")
        try buffer.writeShortString("orders.order.placed")
        #expect(
            try AMQPMethod.decode(from: &buffer)
                == .basicDeliver(
                    consumerTag: "ctag",
                    deliveryTag: 42,
                    redelivered: true,
                    exchange: "comptoir.events",
                    routingKey: "orders.order.placed"
                )
        )
    }

    @Test func aBrokenFrameIsRefused() throws {
        var wire = ByteBuffer()
        try AMQPFrame.heartbeat.encode(into: &wire)
        wire.moveWriterIndex(to: wire.writerIndex - 1)
        wire.writeInteger(UInt8(0xAB))  // not the frame end
        let channel = EmbeddedChannel(handler: ByteToMessageHandler(AMQPFrameDecoder()))
        #expect(throws: (any Error).self) { try channel.writeInbound(wire) }
        _ = try? channel.finish()
    }

    @Test func readsClusterURLs() throws {
        let single = try AMQPConfiguration(url: "amqp://app:s%40cret@rabbit.internal:5673/shop")
        #expect(
            single.user == "app" && single.password == "s@cret" && single.virtualHost == "shop"
                && single.endpoints == [AMQPEndpoint(host: "rabbit.internal", port: 5673)]
        )
        let cluster = try AMQPConfiguration(url: "amqp://app:secret@127.0.0.1:5672,127.0.0.1:5673, amqp://127.0.0.1:5674")
        #expect(cluster.endpoints.map(\.port) == [5672, 5673, 5674] && cluster.user == "app" && cluster.virtualHost == "/")
        #expect(throws: AMQPError.self) { try AMQPConfiguration(url: "http://127.0.0.1:5672") }
        #expect(throws: AMQPError.self) { try AMQPConfiguration(url: "amqp://app:secret@127.0.0.1:5672,:99999") }
    }
}
