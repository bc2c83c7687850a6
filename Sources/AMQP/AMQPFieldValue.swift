import Foundation
import NIOCore

/// A value in an AMQP field table (`arguments`, `headers`, `client-properties`), with the type
/// tags RabbitMQ uses (its errata to AMQP 0-9-1: `s` is a signed 16-bit, `l` a signed 64-bit).
public indirect enum AMQPFieldValue: Sendable, Hashable {
    case bool(Bool)
    case int8(Int8)
    case uint8(UInt8)
    case int16(Int16)
    case uint16(UInt16)
    case int32(Int32)
    case uint32(UInt32)
    case int64(Int64)
    case float(Float)
    case double(Double)
    case decimal(scale: UInt8, value: UInt32)
    case string(String)
    case bytes([UInt8])
    case array([AMQPFieldValue])
    case timestamp(Date)
    case table(AMQPTable)
    case void

    /// The value as text when it is a string or byte array.
    public var string: String? {
        switch self {
        case .string(let text): text
        case .bytes(let bytes): String(decoding: bytes, as: UTF8.self)
        default: nil
        }
    }

    /// The value as an integer when it is one of any width.
    public var int: Int64? {
        switch self {
        case .int8(let v): Int64(v)
        case .uint8(let v): Int64(v)
        case .int16(let v): Int64(v)
        case .uint16(let v): Int64(v)
        case .int32(let v): Int64(v)
        case .uint32(let v): Int64(v)
        case .int64(let v): v
        default: nil
        }
    }
}

/// An AMQP field table: names (short strings) to values, in order.
public struct AMQPTable: Sendable, Hashable, ExpressibleByDictionaryLiteral {
    public var entries: [(String, AMQPFieldValue)]

    public init(_ entries: [(String, AMQPFieldValue)] = []) { self.entries = entries }
    public init(dictionaryLiteral elements: (String, AMQPFieldValue)...) { self.entries = elements }

    public subscript(name: String) -> AMQPFieldValue? {
        get { entries.first { $0.0 == name }?.1 }
        set {
            entries.removeAll { $0.0 == name }
            if let newValue { entries.append((name, newValue)) }
        }
    }

    public var isEmpty: Bool { entries.isEmpty }

    public static func == (lhs: AMQPTable, rhs: AMQPTable) -> Bool {
        lhs.entries.count == rhs.entries.count && zip(lhs.entries, rhs.entries).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
    }

    public func hash(into hasher: inout Hasher) {
        for (name, value) in entries {
            hasher.combine(name)
            hasher.combine(value)
        }
    }
}

extension ByteBuffer {
    mutating func writeShortString(_ string: String) throws {
        let bytes = Array(string.utf8)
        guard bytes.count <= 255 else { throw AMQPError.protocolError("short string longer than 255 bytes: \(string.prefix(40))…") }
        writeInteger(UInt8(bytes.count))
        writeBytes(bytes)
    }

    mutating func writeLongString(_ bytes: [UInt8]) {
        writeInteger(UInt32(bytes.count))
        writeBytes(bytes)
    }

    mutating func readShortString() throws -> String {
        guard let length = readInteger(as: UInt8.self), let string = readString(length: Int(length)) else { throw AMQPError.truncated }
        return string
    }

    mutating func readLongBytes() throws -> [UInt8] {
        guard let length = readInteger(as: UInt32.self), let bytes = readBytes(length: Int(length)) else { throw AMQPError.truncated }
        return bytes
    }

    mutating func readLongString() throws -> String {
        String(decoding: try readLongBytes(), as: UTF8.self)
    }

    mutating func readAMQPInteger<T: FixedWidthInteger>(as type: T.Type = T.self) throws -> T {
        guard let value = readInteger(as: T.self) else { throw AMQPError.truncated }
        return value
    }

    mutating func writeTable(_ table: AMQPTable) throws {
        let lengthIndex = writerIndex
        writeInteger(UInt32(0))
        let start = writerIndex
        for (name, value) in table.entries {
            try writeShortString(name)
            try writeFieldValue(value)
        }
        setInteger(UInt32(writerIndex - start), at: lengthIndex)
    }

    mutating func readTable() throws -> AMQPTable {
        let length = Int(try readAMQPInteger(as: UInt32.self))
        guard var slice = readSlice(length: length) else { throw AMQPError.truncated }
        var table = AMQPTable()
        while slice.readableBytes > 0 {
            let name = try slice.readShortString()
            table.entries.append((name, try slice.readFieldValue()))
        }
        return table
    }

    private mutating func writeTag(_ tag: Character) {
        writeInteger(tag.asciiValue!)  // trap-checked: private; every call passes an ASCII letter literal
    }

    mutating func writeFieldValue(_ value: AMQPFieldValue) throws {
        switch value {
        case .bool(let v):
            writeTag("t")
            writeInteger(UInt8(v ? 1 : 0))
        case .int8(let v):
            writeTag("b")
            writeInteger(v)
        case .uint8(let v):
            writeTag("B")
            writeInteger(v)
        case .int16(let v):
            writeTag("s")
            writeInteger(v)
        case .uint16(let v):
            writeTag("u")
            writeInteger(v)
        case .int32(let v):
            writeTag("I")
            writeInteger(v)
        case .uint32(let v):
            writeTag("i")
            writeInteger(v)
        case .int64(let v):
            writeTag("l")
            writeInteger(v)
        case .float(let v):
            writeTag("f")
            writeInteger(v.bitPattern)
        case .double(let v):
            writeTag("d")
            writeInteger(v.bitPattern)
        case .decimal(let scale, let v):
            writeTag("D")
            writeInteger(scale)
            writeInteger(v)
        case .string(let v):
            writeTag("S")
            writeLongString(Array(v.utf8))
        case .bytes(let v):
            writeTag("x")
            writeLongString(v)
        case .array(let values):
            writeTag("A")
            let lengthIndex = writerIndex
            writeInteger(UInt32(0))
            let start = writerIndex
            for element in values { try writeFieldValue(element) }
            setInteger(UInt32(writerIndex - start), at: lengthIndex)
        case .timestamp(let date):
            writeTag("T")
            writeInteger(UInt64(max(0, date.timeIntervalSince1970)))
        case .table(let table):
            writeTag("F")
            try writeTable(table)
        case .void: writeTag("V")
        }
    }

    mutating func readFieldValue() throws -> AMQPFieldValue {
        let tag: UInt8 = try readAMQPInteger()
        switch Character(Unicode.Scalar(tag)) {
        case "t": return .bool(try readAMQPInteger(as: UInt8.self) != 0)
        case "b": return .int8(try readAMQPInteger())
        case "B": return .uint8(try readAMQPInteger())
        case "s": return .int16(try readAMQPInteger())
        case "u": return .uint16(try readAMQPInteger())
        case "I": return .int32(try readAMQPInteger())
        case "i": return .uint32(try readAMQPInteger())
        case "l": return .int64(try readAMQPInteger())
        case "f": return .float(Float(bitPattern: try readAMQPInteger()))
        case "d": return .double(Double(bitPattern: try readAMQPInteger()))
        case "D": return .decimal(scale: try readAMQPInteger(), value: try readAMQPInteger())
        case "S": return .string(try readLongString())
        case "x": return .bytes(try readLongBytes())
        case "A":
            let length = Int(try readAMQPInteger(as: UInt32.self))
            guard var slice = readSlice(length: length) else { throw AMQPError.truncated }
            var values: [AMQPFieldValue] = []
            while slice.readableBytes > 0 { values.append(try slice.readFieldValue()) }
            return .array(values)
        case "T": return .timestamp(Date(timeIntervalSince1970: TimeInterval(try readAMQPInteger(as: UInt64.self))))
        case "F": return .table(try readTable())
        case "V": return .void
        default: throw AMQPError.protocolError("unknown field type 0x\(String(tag, radix: 16))")
        }
    }
}
