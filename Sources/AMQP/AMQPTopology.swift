/// Exchanges, queues and bindings an ``AMQPClient`` declares on every connection (declaring
/// what exists with the same arguments is a no-op, so every replica declares all it needs).
public struct AMQPTopology: Sendable {
    public struct Exchange: Sendable, Equatable {
        public var name: String
        public var type: String
        public init(_ name: String, type: String = "topic") {
            self.name = name
            self.type = type
        }
    }

    public struct Queue: Sendable, Equatable {
        public var name: String
        public var arguments: AMQPTable
        public init(_ name: String, arguments: AMQPTable = [:]) {
            self.name = name
            self.arguments = arguments
        }

        /// A durable quorum queue (replicated on the cluster's nodes, surviving the loss of a
        /// minority), dead-lettering to `deadLetterExchange` with `deadLetterRoutingKey`.
        public static func quorum(
            _ name: String,
            deadLetterExchange: String? = nil,
            deadLetterRoutingKey: String? = nil,
            deliveryLimit: Int32? = nil
        ) -> Queue {
            var arguments: AMQPTable = ["x-queue-type": .string("quorum")]
            if let deadLetterExchange { arguments["x-dead-letter-exchange"] = .string(deadLetterExchange) }
            if let deadLetterRoutingKey { arguments["x-dead-letter-routing-key"] = .string(deadLetterRoutingKey) }
            if let deliveryLimit { arguments["x-delivery-limit"] = .int32(deliveryLimit) }
            return Queue(name, arguments: arguments)
        }
    }

    public struct Binding: Sendable, Equatable {
        public var queue: String
        public var exchange: String
        public var routingKey: String
        public init(queue: String, exchange: String, routingKey: String) {
            self.queue = queue
            self.exchange = exchange
            self.routingKey = routingKey
        }
    }

    public var exchanges: [Exchange]
    public var queues: [Queue]
    public var bindings: [Binding]

    public init(exchanges: [Exchange] = [], queues: [Queue] = [], bindings: [Binding] = []) {
        self.exchanges = exchanges
        self.queues = queues
        self.bindings = bindings
    }

    /// Adds what `other` has and this does not.
    public mutating func merge(_ other: AMQPTopology) {
        for exchange in other.exchanges where !exchanges.contains(exchange) { exchanges.append(exchange) }
        for queue in other.queues where !queues.contains(where: { $0.name == queue.name }) { queues.append(queue) }
        for binding in other.bindings where !bindings.contains(binding) { bindings.append(binding) }
    }

    func declare(on channel: AMQPChannel) async throws {
        for exchange in exchanges { try await channel.declareExchange(exchange.name, type: exchange.type) }
        for queue in queues { try await channel.declareQueue(queue.name, arguments: queue.arguments) }
        for binding in bindings { try await channel.bindQueue(binding.queue, to: binding.exchange, routingKey: binding.routingKey) }
    }
}
