import ComptoirContracts
import ComptoirKit
import ComptoirTesting
import FluentKit
import Foundation
import Logging
import NIOConcurrencyHelpers
import SQLKit
import Testing

/// The outbox and inbox on real SQLite files: an event committed before a "kill" is delivered
/// after the restart, and a redelivery has no second effect.
@Suite struct OutboxTests {
    struct Pinged: DomainEvent, Equatable {
        static let type = "test.thing.pinged"
        var thingId: UUID
    }

    /// The consumer's effect: one row per applied event.
    struct CreateEffects: AsyncMigration {
        func prepare(on database: any Database) async throws {
            try await database.sql.raw("CREATE TABLE effects (event_id TEXT NOT NULL, thing_id TEXT NOT NULL)").run()
        }

        func revert(on database: any Database) async throws {}
    }

    func open(_ service: ServiceID, _ configuration: ComptoirConfiguration) async throws -> ServiceDatabase {
        try await ServiceDatabase(service: service, configuration: configuration, logger: Logger(label: "test"))
    }

    func effects(_ database: ServiceDatabase) async throws -> Int {
        try await database.sql.raw("SELECT event_id FROM effects").all().count
    }

    @Test func eventWrittenBeforeAKillIsDeliveredOnceAfterTheRestart() async throws {
        let directory = try TestPlatform.temporaryDirectory()
        let configuration = try TestPlatform.configuration(dataDirectory: directory)
        let thing = UUID()

        // First life of the producer: the state change and its event commit together, then the
        // process dies before any relay ran (its connection closes, as a killed process's would).
        do {
            let producer = try await open(.auth, configuration)
            try await producer.migrate(ServiceHost.kitMigrations)
            try await producer.fluent.transaction { tx in
                _ = try await Outbox(service: .auth).append(Pinged(thingId: thing), on: tx)
            }
            await producer.shutdown()
        }

        // After the restart: fresh handles on the same files, a consumer subscribed, the relay runs.
        let producer = try await open(.auth, configuration)
        let consumer = try await open(.newsletters, configuration)
        try await consumer.migrate(ServiceHost.kitMigrations + [CreateEffects()])
        let metrics = ServiceMetrics()
        let inbox = Inbox(database: consumer, metrics: metrics)
        let bus = InProcessEventBus()
        let deliveries = NIOLockedValueBox(0)
        try await bus.subscribe(
            EventSubscription(service: .newsletters, bindings: ["test.#"]) { envelope in
                deliveries.withLockedValue { $0 += 1 }
                let payload = try envelope.payload(as: Pinged.self)
                try await inbox.process(envelope) { tx in
                    try await tx.sql.raw(
                        "INSERT INTO effects (event_id, thing_id) VALUES (\(bind: envelope.id.uuidString), \(bind: payload.thingId.uuidString))"
                    ).run()
                }
            }
        )
        let relay = OutboxRelay(database: producer, bus: bus, outbox: Outbox(service: .auth), metrics: metrics, logger: Logger(label: "test"))
        #expect(try await relay.relayBatch() == 1)
        #expect(try await effects(consumer) == 1)
        #expect(try await relay.relayBatch() == 0, "a sent row is not published again")

        // A crash after the consumer committed but before the row was marked sent: the row is
        // published again, and the inbox turns the duplicate into a no-op.
        try await producer.sql.raw("UPDATE outbox_messages SET sent_at = NULL").run()
        #expect(try await relay.relayBatch() == 1)
        #expect(deliveries.withLockedValue { $0 } == 2)
        #expect(try await effects(consumer) == 1)
        let rows = try await consumer.sql.raw("SELECT thing_id FROM effects").all()
        #expect(try rows.first?.decode(column: "thing_id", as: String.self) == thing.uuidString)

        await producer.shutdown()
        await consumer.shutdown()
        try? FileManager.default.removeItem(at: directory)
    }

    @Test func failingConsumerIsRetriedWithBackOff() async throws {
        let directory = try TestPlatform.temporaryDirectory()
        let producer = try await open(.auth, try TestPlatform.configuration(dataDirectory: directory))
        try await producer.migrate(ServiceHost.kitMigrations)
        try await Outbox(service: .auth).append(Pinged(thingId: UUID()), on: producer.fluent)
        let bus = InProcessEventBus()
        struct Refused: Error {}
        try await bus.subscribe(EventSubscription(service: .newsletters, bindings: ["test.thing.pinged"]) { _ in throw Refused() })
        var relay = OutboxRelay(
            database: producer,
            bus: bus,
            outbox: Outbox(service: .auth),
            metrics: ServiceMetrics(),
            logger: Logger(label: "test")
        )
        relay.firstRetryDelay = 60  // long enough that no slow machine sees it due again
        #expect(try await relay.relayBatch() == 1)
        // Backed off: not due again at once, still pending, the error kept for operators.
        #expect(try await relay.relayBatch() == 0)
        let row = try #require(try await OutboxMessage.query(on: producer.fluent).first())
        #expect(row.sentAt == nil && row.attempts == 1 && row.lastError != nil && row.nextAttemptAt > Date())
        await producer.shutdown()
        try? FileManager.default.removeItem(at: directory)
    }

    @Test func aBackOffTheDatabaseRefusesFailsThePassInsteadOfVanishing() async throws {
        let directory = try TestPlatform.temporaryDirectory()
        let producer = try await open(.auth, try TestPlatform.configuration(dataDirectory: directory))
        try await producer.migrate(ServiceHost.kitMigrations)
        try await Outbox(service: .auth).append(Pinged(thingId: UUID()), on: producer.fluent)
        // The database refuses to record an attempt, as a full disk or a lost connection would.
        let fault = DatabaseFault(name: "refuse_attempts", table: "outbox_messages", column: "attempts")
        try await fault.refuse(on: producer)
        let bus = InProcessEventBus()
        struct Refused: Error {}
        try await bus.subscribe(EventSubscription(service: .newsletters, bindings: ["test.thing.pinged"]) { _ in throw Refused() })
        let relay = OutboxRelay(
            database: producer,
            bus: bus,
            outbox: Outbox(service: .auth),
            metrics: ServiceMetrics(),
            logger: Logger(label: "test")
        )
        await #expect(throws: (any Error).self, "the lost attempt is reported") { try await relay.relayBatch() }
        try await fault.allow(on: producer)
        let row = try #require(try await OutboxMessage.query(on: producer.fluent).first())
        #expect(row.sentAt == nil && row.deadAt == nil && row.attempts == 0, "the row stays due, to be tried again")
        await producer.shutdown()
        try? FileManager.default.removeItem(at: directory)
    }

    /// Woken before the commit, a relay on PostgreSQL sees no row and sleeps a whole poll
    /// interval: every saga hop waited ~100 ms for it. It is woken after the commit instead.
    @Test func theRelayIsWokenWhenTheTransactionCommitsNotBefore() async throws {
        let directory = try TestPlatform.temporaryDirectory()
        let database = try await open(.orders, try TestPlatform.configuration(dataDirectory: directory))
        try await database.migrate(ServiceHost.kitMigrations)
        let signal = RelaySignal()
        let outbox = Outbox(service: .orders, signal: signal)
        let bodyEnded = NIOLockedValueBox<ContinuousClock.Instant?>(nil)
        async let woken: ContinuousClock.Instant = {
            await signal.wait(timeout: .seconds(30))
            return ContinuousClock.now
        }()
        try await Task.sleep(for: .milliseconds(50))  // the waiter is waiting
        try await database.transaction { tx in
            try await outbox.append(Pinged(thingId: UUID()), on: tx)
            try await Task.sleep(for: .milliseconds(300))  // the rest of the transaction's work
            bodyEnded.withLockedValue { $0 = ContinuousClock.now }
        }
        let wokenAt = await woken
        let ended = try #require(bodyEnded.withLockedValue { $0 })
        #expect(wokenAt >= ended, "woken \(ended - wokenAt) before the transaction's body ended")
        #expect(wokenAt - ended < .seconds(5), "woken by the commit, not by the timeout")
        await database.shutdown()
        try? FileManager.default.removeItem(at: directory)
    }

    @Test func topicBindingsFollowAMQPRules() {
        func matches(_ pattern: String, _ key: String) -> Bool {
            EventSubscription(service: .orders, bindings: [pattern]) { _ in }.matches(key)
        }
        #expect(matches("products.stock.*", "products.stock.reserved"))
        #expect(!matches("products.stock.*", "products.stock"))
        #expect(matches("products.#", "products.stock.reserved"))
        #expect(matches("#", "a.b.c"))
        #expect(matches("*.user.registered", "auth.user.registered"))
        #expect(!matches("orders.order.placed", "orders.order.cancelled"))
    }
}
