import AMQP
import ComptoirAdapters
import ComptoirContracts
import ComptoirKit
import Foundation
import Logging
import Synchronization
import Testing

/// The RabbitMQ bus against a real broker (`COMPTOIR_TEST_AMQP_URL`; scripts/integration-test sets it).
@Suite(.enabled(if: TestAMQP.url != nil, "set COMPTOIR_TEST_AMQP_URL to run against a real rabbitmq-server"))
struct AMQPEventBusTests {
    @Test func anEnvelopeThatCannotBeEncodedFailsAloneAndIsNotSent() async throws {
        let url = try #require(TestAMQP.url)
        var logger = Logger(label: "amqp-bus-test")
        logger.logLevel = .critical
        let client = AMQPClient(configuration: try AMQPConfiguration(url: url), logger: logger)
        let bus = AMQPEventBus(client: client, namespace: "bustest-\(UUID().uuidString.prefix(8).lowercased())", logger: logger)
        let received = Mutex<[String]>([])
        try await bus.subscribe(
            EventSubscription(service: .newsletters, bindings: ["test.#"]) { envelope in
                received.withLock { $0.append(envelope.type) }
            }
        )
        let running = Task { await client.run() }
        defer { running.cancel() }
        while !client.isConnected { try await Task.sleep(for: .milliseconds(20)) }

        // JSON has no NaN: this envelope cannot be encoded.
        let envelopes = [
            EventEnvelope(type: "test.first", source: .auth, data: .object(["n": .number(1)])),
            EventEnvelope(type: "test.unencodable", source: .auth, data: .object(["n": .number(.nan)])),
            EventEnvelope(type: "test.last", source: .auth, data: .object(["n": .number(2)])),
        ]
        let results = await bus.publish(envelopes)
        #expect(results.count == 3)
        #expect((try? results[0].get()) != nil)
        #expect((try? results[1].get()) == nil, "an unencodable envelope is a failure, not an empty message")
        #expect((try? results[2].get()) != nil)
        let deadline = ContinuousClock.now + .seconds(10)
        while received.withLock({ $0.count }) < 2, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
        try await Task.sleep(for: .milliseconds(200))  // room for a third delivery that must not come
        #expect(received.withLock { $0 } == ["test.first", "test.last"])
        await client.shutdown()
    }
}

enum TestAMQP {
    static let url = ProcessInfo.processInfo.environment["COMPTOIR_TEST_AMQP_URL"].flatMap { $0.isEmpty ? nil : $0 }
}
