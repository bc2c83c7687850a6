import NIOCore

/// The AMQP 0-9-1 methods this client sends or understands, with their arguments.
/// (Class and method ids from the specification; `ticket` and other reserved fields are
/// written as zero and skipped when read.)
enum AMQPMethod: Sendable, Equatable {
    // connection (class 10)
    case connectionStart(versionMajor: UInt8, versionMinor: UInt8, serverProperties: AMQPTable, mechanisms: String, locales: String)
    case connectionStartOk(clientProperties: AMQPTable, mechanism: String, response: [UInt8], locale: String)
    case connectionTune(channelMax: UInt16, frameMax: UInt32, heartbeat: UInt16)
    case connectionTuneOk(channelMax: UInt16, frameMax: UInt32, heartbeat: UInt16)
    case connectionOpen(virtualHost: String)
    case connectionOpenOk
    case connectionClose(code: UInt16, text: String, classId: UInt16, methodId: UInt16)
    case connectionCloseOk
    case connectionBlocked(reason: String)
    case connectionUnblocked
    // channel (20)
    case channelOpen
    case channelOpenOk
    case channelFlow(active: Bool)
    case channelFlowOk(active: Bool)
    case channelClose(code: UInt16, text: String, classId: UInt16, methodId: UInt16)
    case channelCloseOk
    // exchange (40)
    case exchangeDeclare(name: String, type: String, passive: Bool, durable: Bool, autoDelete: Bool, isInternal: Bool, arguments: AMQPTable)
    case exchangeDeclareOk
    case exchangeDelete(name: String, ifUnused: Bool)
    case exchangeDeleteOk
    // queue (50)
    case queueDeclare(name: String, passive: Bool, durable: Bool, exclusive: Bool, autoDelete: Bool, arguments: AMQPTable)
    case queueDeclareOk(name: String, messageCount: UInt32, consumerCount: UInt32)
    case queueBind(queue: String, exchange: String, routingKey: String, arguments: AMQPTable)
    case queueBindOk
    case queuePurge(queue: String)
    case queuePurgeOk(messageCount: UInt32)
    case queueDelete(queue: String, ifUnused: Bool, ifEmpty: Bool)
    case queueDeleteOk(messageCount: UInt32)
    // basic (60)
    case basicQos(prefetchSize: UInt32, prefetchCount: UInt16, global: Bool)
    case basicQosOk
    case basicConsume(queue: String, consumerTag: String, noAck: Bool, exclusive: Bool, arguments: AMQPTable)
    case basicConsumeOk(consumerTag: String)
    case basicCancel(consumerTag: String, noWait: Bool)
    case basicCancelOk(consumerTag: String)
    case basicPublish(exchange: String, routingKey: String, mandatory: Bool)
    case basicReturn(code: UInt16, text: String, exchange: String, routingKey: String)
    case basicDeliver(consumerTag: String, deliveryTag: UInt64, redelivered: Bool, exchange: String, routingKey: String)
    case basicGet(queue: String, noAck: Bool)
    case basicGetOk(deliveryTag: UInt64, redelivered: Bool, exchange: String, routingKey: String, messageCount: UInt32)
    case basicGetEmpty
    case basicAck(deliveryTag: UInt64, multiple: Bool)
    case basicReject(deliveryTag: UInt64, requeue: Bool)
    case basicNack(deliveryTag: UInt64, multiple: Bool, requeue: Bool)
    // confirm (85)
    case confirmSelect
    case confirmSelectOk
    /// A method we neither send nor handle.
    case unknown(classId: UInt16, methodId: UInt16)

    var ids: (UInt16, UInt16) {
        switch self {
        case .connectionStart: (10, 10)
        case .connectionStartOk: (10, 11)
        case .connectionTune: (10, 30)
        case .connectionTuneOk: (10, 31)
        case .connectionOpen: (10, 40)
        case .connectionOpenOk: (10, 41)
        case .connectionClose: (10, 50)
        case .connectionCloseOk: (10, 51)
        case .connectionBlocked: (10, 60)
        case .connectionUnblocked: (10, 61)
        case .channelOpen: (20, 10)
        case .channelOpenOk: (20, 11)
        case .channelFlow: (20, 20)
        case .channelFlowOk: (20, 21)
        case .channelClose: (20, 40)
        case .channelCloseOk: (20, 41)
        case .exchangeDeclare: (40, 10)
        case .exchangeDeclareOk: (40, 11)
        case .exchangeDelete: (40, 20)
        case .exchangeDeleteOk: (40, 21)
        case .queueDeclare: (50, 10)
        case .queueDeclareOk: (50, 11)
        case .queueBind: (50, 20)
        case .queueBindOk: (50, 21)
        case .queuePurge: (50, 30)
        case .queuePurgeOk: (50, 31)
        case .queueDelete: (50, 40)
        case .queueDeleteOk: (50, 41)
        case .basicQos: (60, 10)
        case .basicQosOk: (60, 11)
        case .basicConsume: (60, 20)
        case .basicConsumeOk: (60, 21)
        case .basicCancel: (60, 30)
        case .basicCancelOk: (60, 31)
        case .basicPublish: (60, 40)
        case .basicReturn: (60, 50)
        case .basicDeliver: (60, 60)
        case .basicGet: (60, 70)
        case .basicGetOk: (60, 71)
        case .basicGetEmpty: (60, 72)
        case .basicAck: (60, 80)
        case .basicReject: (60, 90)
        case .basicNack: (60, 120)
        case .confirmSelect: (85, 10)
        case .confirmSelectOk: (85, 11)
        case .unknown(let classId, let methodId): (classId, methodId)
        }
    }

    /// Whether a content header and body frames follow this method.
    var carriesContent: Bool {
        switch self {
        case .basicPublish, .basicReturn, .basicDeliver, .basicGetOk: true
        default: false
        }
    }

    static func bits(_ flags: Bool...) -> UInt8 {
        flags.enumerated().reduce(0) { $0 | ($1.element ? 1 << $1.offset : 0) }
    }

    func encode(into buffer: inout ByteBuffer) throws {
        let (classId, methodId) = ids
        buffer.writeInteger(classId)
        buffer.writeInteger(methodId)
        switch self {
        case .connectionStartOk(let properties, let mechanism, let response, let locale):
            try buffer.writeTable(properties)
            try buffer.writeShortString(mechanism)
            buffer.writeLongString(response)
            try buffer.writeShortString(locale)
        case .connectionTuneOk(let channelMax, let frameMax, let heartbeat):
            buffer.writeInteger(channelMax)
            buffer.writeInteger(frameMax)
            buffer.writeInteger(heartbeat)
        case .connectionOpen(let virtualHost):
            try buffer.writeShortString(virtualHost)
            try buffer.writeShortString("")
            buffer.writeInteger(UInt8(0))
        case .connectionClose(let code, let text, let classId, let methodId), .channelClose(let code, let text, let classId, let methodId):
            buffer.writeInteger(code)
            try buffer.writeShortString(String(text.utf8.prefix(255)) ?? "")
            buffer.writeInteger(classId)
            buffer.writeInteger(methodId)
        case .connectionCloseOk, .channelCloseOk, .connectionUnblocked, .confirmSelectOk, .basicQosOk, .queueBindOk, .exchangeDeclareOk,
            .exchangeDeleteOk,
            .channelOpenOk, .connectionOpenOk, .basicGetEmpty:
            break
        case .channelOpen:
            try buffer.writeShortString("")
        case .channelFlow(let active), .channelFlowOk(let active):
            buffer.writeInteger(Self.bits(active))
        case .exchangeDeclare(let name, let type, let passive, let durable, let autoDelete, let isInternal, let arguments):
            buffer.writeInteger(UInt16(0))
            try buffer.writeShortString(name)
            try buffer.writeShortString(type)
            buffer.writeInteger(Self.bits(passive, durable, autoDelete, isInternal, false))
            try buffer.writeTable(arguments)
        case .queueDeclare(let name, let passive, let durable, let exclusive, let autoDelete, let arguments):
            buffer.writeInteger(UInt16(0))
            try buffer.writeShortString(name)
            buffer.writeInteger(Self.bits(passive, durable, exclusive, autoDelete, false))
            try buffer.writeTable(arguments)
        case .queueBind(let queue, let exchange, let routingKey, let arguments):
            buffer.writeInteger(UInt16(0))
            try buffer.writeShortString(queue)
            try buffer.writeShortString(exchange)
            try buffer.writeShortString(routingKey)
            buffer.writeInteger(Self.bits(false))
            try buffer.writeTable(arguments)
        case .queuePurge(let queue):
            buffer.writeInteger(UInt16(0))
            try buffer.writeShortString(queue)
            buffer.writeInteger(Self.bits(false))
        case .exchangeDelete(let name, let ifUnused):
            buffer.writeInteger(UInt16(0))
            try buffer.writeShortString(name)
            buffer.writeInteger(Self.bits(ifUnused, false))
        case .queueDelete(let queue, let ifUnused, let ifEmpty):
            buffer.writeInteger(UInt16(0))
            try buffer.writeShortString(queue)
            buffer.writeInteger(Self.bits(ifUnused, ifEmpty, false))
        case .basicQos(let prefetchSize, let prefetchCount, let global):
            buffer.writeInteger(prefetchSize)
            buffer.writeInteger(prefetchCount)
            buffer.writeInteger(Self.bits(global))
        case .basicConsume(let queue, let consumerTag, let noAck, let exclusive, let arguments):
            buffer.writeInteger(UInt16(0))
            try buffer.writeShortString(queue)
            try buffer.writeShortString(consumerTag)
            buffer.writeInteger(Self.bits(false, noAck, exclusive, false))
            try buffer.writeTable(arguments)
        case .basicCancel(let consumerTag, let noWait):
            try buffer.writeShortString(consumerTag)
            buffer.writeInteger(Self.bits(noWait))
        case .basicCancelOk(let consumerTag):
            try buffer.writeShortString(consumerTag)
        case .basicPublish(let exchange, let routingKey, let mandatory):
            buffer.writeInteger(UInt16(0))
            try buffer.writeShortString(exchange)
            try buffer.writeShortString(routingKey)
            buffer.writeInteger(Self.bits(mandatory, false))
        case .basicGet(let queue, let noAck):
            buffer.writeInteger(UInt16(0))
            try buffer.writeShortString(queue)
            buffer.writeInteger(Self.bits(noAck))
        case .basicAck(let deliveryTag, let multiple):
            buffer.writeInteger(deliveryTag)
            buffer.writeInteger(Self.bits(multiple))
        case .basicReject(let deliveryTag, let requeue):
            buffer.writeInteger(deliveryTag)
            buffer.writeInteger(Self.bits(requeue))
        case .basicNack(let deliveryTag, let multiple, let requeue):
            buffer.writeInteger(deliveryTag)
            buffer.writeInteger(Self.bits(multiple, requeue))
        case .confirmSelect:
            buffer.writeInteger(Self.bits(false))
        case .connectionStart, .connectionTune, .connectionBlocked, .queueDeclareOk, .queuePurgeOk, .queueDeleteOk, .basicConsumeOk,
            .basicReturn, .basicDeliver, .basicGetOk, .unknown:
            throw AMQPError.protocolError("a client does not send \(self)")
        }
    }

    static func decode(from buffer: inout ByteBuffer) throws -> AMQPMethod {
        let classId: UInt16 = try buffer.readAMQPInteger()
        let methodId: UInt16 = try buffer.readAMQPInteger()
        func bit(_ byte: UInt8, _ index: Int) -> Bool { byte & (1 << index) != 0 }
        switch (classId, methodId) {
        case (10, 10):
            return .connectionStart(
                versionMajor: try buffer.readAMQPInteger(),
                versionMinor: try buffer.readAMQPInteger(),
                serverProperties: try buffer.readTable(),
                mechanisms: try buffer.readLongString(),
                locales: try buffer.readLongString()
            )
        case (10, 30):
            return .connectionTune(
                channelMax: try buffer.readAMQPInteger(),
                frameMax: try buffer.readAMQPInteger(),
                heartbeat: try buffer.readAMQPInteger()
            )
        case (10, 41):
            return .connectionOpenOk
        case (10, 50), (20, 40):
            let code: UInt16 = try buffer.readAMQPInteger()
            let text = try buffer.readShortString()
            let failedClass: UInt16 = try buffer.readAMQPInteger()
            let failedMethod: UInt16 = try buffer.readAMQPInteger()
            return classId == 10
                ? .connectionClose(code: code, text: text, classId: failedClass, methodId: failedMethod)
                : .channelClose(code: code, text: text, classId: failedClass, methodId: failedMethod)
        case (10, 51): return .connectionCloseOk
        case (10, 60): return .connectionBlocked(reason: (try? buffer.readShortString()) ?? "")
        case (10, 61): return .connectionUnblocked
        case (20, 11): return .channelOpenOk
        case (20, 20): return .channelFlow(active: bit(try buffer.readAMQPInteger(), 0))
        case (20, 21): return .channelFlowOk(active: bit(try buffer.readAMQPInteger(), 0))
        case (20, 41): return .channelCloseOk
        case (40, 11): return .exchangeDeclareOk
        case (40, 21): return .exchangeDeleteOk
        case (50, 11):
            return .queueDeclareOk(
                name: try buffer.readShortString(),
                messageCount: try buffer.readAMQPInteger(),
                consumerCount: try buffer.readAMQPInteger()
            )
        case (50, 21): return .queueBindOk
        case (50, 31): return .queuePurgeOk(messageCount: try buffer.readAMQPInteger())
        case (50, 41): return .queueDeleteOk(messageCount: try buffer.readAMQPInteger())
        case (60, 11): return .basicQosOk
        case (60, 21): return .basicConsumeOk(consumerTag: try buffer.readShortString())
        case (60, 30):
            let tag = try buffer.readShortString()
            return .basicCancel(consumerTag: tag, noWait: bit(try buffer.readAMQPInteger(), 0))
        case (60, 31): return .basicCancelOk(consumerTag: try buffer.readShortString())
        case (60, 50):
            return .basicReturn(
                code: try buffer.readAMQPInteger(),
                text: try buffer.readShortString(),
                exchange: try buffer.readShortString(),
                routingKey: try buffer.readShortString()
            )
        case (60, 60):
            let tag = try buffer.readShortString()
            let deliveryTag: UInt64 = try buffer.readAMQPInteger()
            let flags: UInt8 = try buffer.readAMQPInteger()
            return .basicDeliver(
                consumerTag: tag,
                deliveryTag: deliveryTag,
                redelivered: bit(flags, 0),
                exchange: try buffer.readShortString(),
                routingKey: try buffer.readShortString()
            )
        case (60, 71):
            let deliveryTag: UInt64 = try buffer.readAMQPInteger()
            let flags: UInt8 = try buffer.readAMQPInteger()
            return .basicGetOk(
                deliveryTag: deliveryTag,
                redelivered: bit(flags, 0),
                exchange: try buffer.readShortString(),
                routingKey: try buffer.readShortString(),
                messageCount: try buffer.readAMQPInteger()
            )
        case (60, 72): return .basicGetEmpty
        case (60, 80):
            let tag: UInt64 = try buffer.readAMQPInteger()
            return .basicAck(deliveryTag: tag, multiple: bit(try buffer.readAMQPInteger(), 0))
        case (60, 120):
            let tag: UInt64 = try buffer.readAMQPInteger()
            let flags: UInt8 = try buffer.readAMQPInteger()
            return .basicNack(deliveryTag: tag, multiple: bit(flags, 0), requeue: bit(flags, 1))
        case (85, 11): return .confirmSelectOk
        default: return .unknown(classId: classId, methodId: methodId)
        }
    }
}
