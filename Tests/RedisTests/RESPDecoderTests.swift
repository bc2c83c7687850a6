import NIOCore
import Testing

@testable import Redis

@Suite struct RESPDecoderTests {
    private func parse(_ text: String) throws -> RESPValue? {
        var buffer = ByteBuffer(string: text)
        return try RESPDecoder.parse(&buffer)
    }

    @Test func readsEveryRESP2Type() throws {
        #expect(try parse("+OK\r\n") == .simpleString("OK"))
        #expect(try parse("-WRONGTYPE bad\r\n") == .error("WRONGTYPE bad"))
        #expect(try parse(":-42\r\n") == .integer(-42))
        #expect(try parse("$5\r\nhe\r\no\r\n") == .bulkString(Array("he\r\no".utf8)))
        #expect(try parse("$-1\r\n") == .null)
        #expect(try parse("*-1\r\n") == .null)
        #expect(try parse("*2\r\n$1\r\na\r\n:1\r\n") == .array([.bulkString([97]), .integer(1)]))
    }

    @Test func readsEveryRESP3Type() throws {
        #expect(try parse("_\r\n") == .null)
        #expect(try parse("#t\r\n") == .boolean(true))
        #expect(try parse(",1.5\r\n") == .double(1.5))
        #expect(try parse(",inf\r\n") == .double(.infinity))
        #expect(try parse("(3492890328409238509324850943850943825024385\r\n") == .bigNumber("3492890328409238509324850943850943825024385"))
        #expect(try parse("=15\r\ntxt:Some string\r\n") == .verbatimString("Some string"))
        #expect(try parse("!21\r\nSYNTAX invalid syntax\r\n") == .error("SYNTAX invalid syntax"))
        #expect(try parse("%1\r\n+a\r\n:1\r\n") == .map([.simpleString("a"): .integer(1)]))
        #expect(try parse("~2\r\n+a\r\n+b\r\n") == .set([.simpleString("a"), .simpleString("b")]))
        #expect(try parse(">2\r\n+message\r\n+hi\r\n") == .push([.simpleString("message"), .simpleString("hi")]))
        #expect(try parse("|1\r\n+ttl\r\n:3600\r\n:7\r\n") == .integer(7))
    }

    @Test func waitsForTheRestOfASplitValue() throws {
        let whole = "*3\r\n$3\r\nfoo\r\n%1\r\n+k\r\n$2\r\nvv\r\n:9\r\n"
        for cut in 0..<whole.utf8.count {
            var buffer = ByteBuffer(bytes: whole.utf8.prefix(cut))
            #expect(try RESPDecoder.parse(&buffer) == nil, "a prefix of \(cut) bytes is not a value")
            #expect(buffer.readableBytes == cut, "an incomplete value leaves the buffer untouched")
        }
        var buffer = ByteBuffer(string: whole + "+next\r\n")
        #expect(
            try RESPDecoder.parse(&buffer)
                == .array([.bulkString(Array("foo".utf8)), .map([.simpleString("k"): .bulkString(Array("vv".utf8))]), .integer(9)])
        )
        #expect(try RESPDecoder.parse(&buffer) == .simpleString("next"))
    }

    @Test func refusesWhatIsNotRESP() {
        #expect(throws: RedisError.self) { try parse("?what\r\n") }
        #expect(throws: RedisError.self) { try parse(":12x\r\n") }
        #expect(throws: RedisError.self) { try parse("+no carriage return\n") }
        #expect(throws: RedisError.self) { try parse("$3\r\nabcd\r\n") }
        #expect(throws: RedisError.self) { try parse("$-7\r\n") }
        #expect(throws: RedisError.self) { try parse(String(repeating: "*1\r\n", count: 100) + ":1\r\n") }
    }

    @Test func encodesCommandsAsArraysOfBulkStrings() {
        var buffer = ByteBuffer()
        RedisCommand("SET", ["k", RedisArgument([0, 13, 10]), 5]).encode(into: &buffer)
        #expect(Array(buffer.readableBytesView) == Array("*4\r\n$3\r\nSET\r\n$1\r\nk\r\n$3\r\n".utf8) + [0, 13, 10] + Array("\r\n$1\r\n5\r\n".utf8))
    }

    @Test func splitsErrorCodes() {
        #expect(RedisError.fromReply("NOSCRIPT No matching script") == .server(code: "NOSCRIPT", message: "No matching script"))
        #expect(RedisError.fromReply("something odd") == .server(code: "ERR", message: "something odd"))
    }

    @Test func namesScriptsByTheirSHA1() {
        #expect(RedisScript("return 1").sha == "e0e1f9fabfc9d4800c877a703b823ac0578ff8db")
    }

    @Test func readsRedisURLs() throws {
        let full = try RedisConfiguration(url: "redis://app:s%40cret@cache.internal:6380/3")
        #expect(full.host == "cache.internal" && full.port == 6380 && full.username == "app" && full.password == "s@cret" && full.database == 3)
        let passwordOnly = try RedisConfiguration(url: "redis://:secret@127.0.0.1")
        #expect(passwordOnly.username == nil && passwordOnly.password == "secret" && passwordOnly.port == 6379 && passwordOnly.database == 0)
        #expect(throws: RedisError.self) { try RedisConfiguration(url: "http://127.0.0.1:6379") }
        #expect(throws: RedisError.self) { try RedisConfiguration(url: "redis://127.0.0.1:6379/99") }
        #expect(throws: RedisError.self) { try RedisConfiguration(url: "redis:///0") }
    }
}
