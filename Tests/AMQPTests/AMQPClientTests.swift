import Foundation
import Logging
import NIOCore
import Testing

@testable import AMQP

/// The broker of the tests: `COMPTOIR_TEST_AMQP_URL` (scripts/integration-test sets it to its
/// three-node cluster).
enum TestBroker {
    static let url = ProcessInfo.processInfo.environment["COMPTOIR_TEST_AMQP_URL"].flatMap { $0.isEmpty ? nil : $0 }

    static var quietLogger: Logger {
        var logger = Logger(label: "amqp-test")
        logger.logLevel = .critical
        return logger
    }
}

/// Against a real RabbitMQ. Without `COMPTOIR_TEST_AMQP_URL` these tests do not run; with it,
/// a broker that cannot be reached fails them.
@Suite(.enabled(if: TestBroker.url != nil, "set COMPTOIR_TEST_AMQP_URL to run against a real rabbitmq-server"))
struct AMQPClientTests {
    /// Names of this test's queues and exchanges, so tests running in parallel never meet.
    let prefix = "test.\(UUID().uuidString.prefix(8).lowercased())"

    private func withChannel(_ body: (AMQPChannel) async throws -> Void) async throws {
        let configuration = try AMQPConfiguration(url: TestBroker.url!)
        let connection = try await AMQPConnection.connect(to: configuration.endpoints[0], configuration: configuration)
        do {
            try await body(try await connection.openChannel())
        } catch {
            await connection.close()
            throw error
        }
        await connection.close()
    }

    @Test func publishesWithConfirmsAndConsumesWithAcks() async throws {
        try await withChannel { channel in
            try await channel.declareExchange("\(prefix).x", type: "topic", durable: false, autoDelete: true)
            try await channel.declareQueue("\(prefix).q", arguments: ["x-queue-type": .string("quorum")])
            try await channel.bindQueue("\(prefix).q", to: "\(prefix).x", routingKey: "orders.#")
            try await channel.enableConfirms()
            let properties = AMQPProperties(contentType: "application/json", deliveryMode: 2, messageId: "m-1", type: "orders.order.placed")
            try await channel.publish(
                ByteBuffer(string: #"{"n":1}"#),
                exchange: "\(prefix).x",
                routingKey: "orders.order.placed",
                properties: properties
            )
            try await channel.publish(ByteBuffer(string: "ignored"), exchange: "\(prefix).x", routingKey: "products.changed")
            try await channel.setPrefetch(10)
            let consumer = try await channel.consume("\(prefix).q")
            var iterator = consumer.deliveries.makeAsyncIterator()
            let delivery = try #require(try await iterator.next())
            #expect(String(buffer: delivery.body) == #"{"n":1}"#)
            #expect(delivery.routingKey == "orders.order.placed" && delivery.properties == properties && !delivery.redelivered)
            try await channel.ack(delivery)
            try await channel.cancel(consumer)
            #expect(try await channel.declareQueue("\(prefix).q", arguments: ["x-queue-type": .string("quorum")]).messages == 0)
            try await channel.deleteQueue("\(prefix).q")
        }
    }

    @Test func manyPublicationsInFlightAreAllConfirmedInOrder() async throws {
        try await withChannel { channel in
            try await channel.declareQueue("\(prefix).many", arguments: ["x-queue-type": .string("quorum")])
            try await channel.enableConfirms()
            let messages = (0..<1000).map { AMQPChannel.Message(body: ByteBuffer(string: "\($0)"), exchange: "", routingKey: "\(prefix).many") }
            let results = await channel.publishAll(messages)
            #expect(results.count == 1000 && results.allSatisfy { (try? $0.get()) != nil })
            #expect(try await channel.declareQueue("\(prefix).many", arguments: ["x-queue-type": .string("quorum")]).messages == 1000)
            for expected in 0..<5 {
                let delivery = try #require(try await channel.get("\(prefix).many", autoAck: true))
                #expect(String(buffer: delivery.body) == "\(expected)", "a channel's messages keep their order")
            }
            try await channel.deleteQueue("\(prefix).many")
        }
    }

    @Test func aRefusedDeliveryIsDeadLettered() async throws {
        try await withChannel { channel in
            try await channel.declareExchange("\(prefix).dlx", type: "direct", durable: false, autoDelete: true)
            try await channel.declareQueue("\(prefix).dlq", arguments: ["x-queue-type": .string("quorum")])
            try await channel.bindQueue("\(prefix).dlq", to: "\(prefix).dlx", routingKey: "\(prefix).dlq")
            try await channel.declareQueue(
                "\(prefix).work",
                arguments: [
                    "x-queue-type": .string("quorum"), "x-dead-letter-exchange": .string("\(prefix).dlx"),
                    "x-dead-letter-routing-key": .string("\(prefix).dlq"),
                ]
            )
            try await channel.enableConfirms()
            try await channel.publish(ByteBuffer(string: "poison"), exchange: "", routingKey: "\(prefix).work")
            let delivery = try #require(try await channel.get("\(prefix).work"))
            try await channel.nack(delivery, requeue: false)
            var dead: AMQPDelivery?
            for _ in 0..<50 where dead == nil {
                dead = try await channel.get("\(prefix).dlq", autoAck: true)
                if dead == nil { try await Task.sleep(for: .milliseconds(50)) }
            }
            #expect(dead.map { String(buffer: $0.body) } == "poison")
            try await channel.deleteQueue("\(prefix).work")
            try await channel.deleteQueue("\(prefix).dlq")
        }
    }

    @Test func prefetchBoundsUnacknowledgedDeliveries() async throws {
        try await withChannel { channel in
            try await channel.declareQueue("\(prefix).prefetch", arguments: ["x-queue-type": .string("quorum")])
            try await channel.enableConfirms()
            _ = await channel.publishAll(
                (0..<5).map { AMQPChannel.Message(body: ByteBuffer(string: "\($0)"), exchange: "", routingKey: "\(prefix).prefetch") }
            )
            try await channel.setPrefetch(2)
            let consumer = try await channel.consume("\(prefix).prefetch")
            let received = Counter()
            let reader = Task {
                for try await _ in consumer.deliveries { await received.add() }
            }
            try await Task.sleep(for: .milliseconds(500))
            #expect(await received.value == 2, "no more than the prefetch before an ack")
            reader.cancel()
            try await channel.deleteQueue("\(prefix).prefetch")
        }
    }

    @Test func aChannelErrorClosesTheChannelNotTheConnection() async throws {
        let configuration = try AMQPConfiguration(url: TestBroker.url!)
        let connection = try await AMQPConnection.connect(to: configuration.endpoints[0], configuration: configuration)
        let channel = try await connection.openChannel()
        try await channel.declareQueue("\(prefix).args", arguments: ["x-queue-type": .string("quorum")])
        await #expect {
            try await channel.declareQueue("\(prefix).args", arguments: ["x-queue-type": .string("classic")])
        } throws: { error in
            guard case AMQPError.channelClosed(406, _) = error else { return false }
            return true
        }
        await #expect(throws: AMQPError.self) { try await channel.declareQueue("\(prefix).other") }
        let fresh = try await connection.openChannel()
        try await fresh.deleteQueue("\(prefix).args")
        await connection.close()
    }

    @Test func aWrongPasswordIsRefused() async throws {
        var configuration = try AMQPConfiguration(url: TestBroker.url!)
        configuration.password = "not-the-password"
        await #expect {
            _ = try await AMQPConnection.connect(to: configuration.endpoints[0], configuration: configuration)
        } throws: { error in
            guard case AMQPError.authenticationFailed = error else { return false }
            return true
        }
    }

    @Test func theClientSkipsADeadNodeAndConsumes() async throws {
        var configuration = try AMQPConfiguration(url: TestBroker.url!)
        configuration.endpoints = [AMQPEndpoint(host: "127.0.0.1", port: 1)] + configuration.endpoints
        configuration.minimumBackoff = .milliseconds(10)
        let client = AMQPClient(configuration: configuration, logger: TestBroker.quietLogger)
        let queue = "\(prefix).client"
        client.declare(AMQPTopology(queues: [.quorum(queue)]))
        let seen = Counter()
        client.addConsumer(
            AMQPClient.Consumer(queue: queue, prefetch: 8) { _ in
                await seen.add()
                return .ack
            }
        )
        let running = Task { await client.run() }
        let results = await client.publishAll(
            (0..<20).map { AMQPChannel.Message(body: ByteBuffer(string: "\($0)"), exchange: "", routingKey: queue) }
        )
        #expect(results.allSatisfy { (try? $0.get()) != nil })
        for _ in 0..<100 where await seen.value < 20 { try await Task.sleep(for: .milliseconds(50)) }
        #expect(await seen.value == 20)
        _ = try await client.withChannel { try await $0.deleteQueue(queue) }
        await client.shutdown()
        await running.value
    }
}

actor Counter {
    private(set) var value = 0
    func add() { value += 1 }
}
