import AuthService
import ComptoirKit
import ComptoirTesting
import Foundation
import Hummingbird
import HummingbirdTesting
import NIOPosix
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A client that writes a whole oversized body before it reads a byte, as Python's urllib and
/// most SDKs do, receives the early answer instead of a connection reset.
@Suite struct LingeringCloseTests {
    static let bodySize = 30 << 20

    @Test(arguments: [true, false])
    func aServiceAnswers413ToAClientThatWritesEverythingFirst(connectionClose: Bool) async throws {
        let directory = try TestPlatform.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let platform = try await TestPlatform.resources(dataDirectory: directory)
        let host = try await ServiceHost.make(AuthService.self, platform: platform)
        try await host.application(port: 0).test(.live) { client in
            let answer = try await Self.sendWholeBodyThenRead(
                port: client.port!, path: "/auth/register", connectionClose: connectionClose)
            #expect(answer.hasPrefix("HTTP/1.1 413"), "answer: \(answer.prefix(300))")
            #expect(answer.contains("application/problem+json"))
            #expect(try await client.execute(uri: "/health/live", method: .get).status == .ok)
        }
    }

    @Test(arguments: [("/api/v1/auth/register", "HTTP/1.1 413"), ("/api/v1/auth/logout", "HTTP/1.1 401")])
    func theGatewayAnswersEarlyToAClientThatWritesEverythingFirst(path: String, status: String) async throws {
        try await withGateway { client in
            let answer = try await Self.sendWholeBodyThenRead(port: client.port!, path: path, connectionClose: true)
            #expect(answer.hasPrefix(status), "answer: \(answer.prefix(300))")
            #expect(try await client.execute(uri: "/health/live", method: .get).status == .ok)
        }
    }

    /// Connects, writes the head and all of a 30 MiB body with blocking writes, then reads the
    /// answer to its end. Runs on a thread of its own: a blocked write must not hold up the server.
    static func sendWholeBodyThenRead(port: Int, path: String, connectionClose: Bool) async throws -> String {
        try await NIOThreadPool.singleton.runIfActive {
            let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            guard socket >= 0 else { throw SocketFailure("socket: errno \(errno)") }
            defer { close(socket) }
            var timeout = timeval(tv_sec: 30, tv_usec: 0)
            setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            setsockopt(socket, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = in_port_t(UInt16(port).bigEndian)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            guard connected == 0 else { throw SocketFailure("connect: errno \(errno)") }

            let head = "POST \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                + "Content-Length: \(bodySize)\r\n\(connectionClose ? "Connection: close\r\n" : "")\r\n"
            try writeAll(socket, Array(head.utf8))
            let chunk = [UInt8](repeating: UInt8(ascii: " "), count: 1 << 16)
            for _ in 0..<(bodySize / chunk.count) { try writeAll(socket, chunk) }

            var answer: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 1 << 16)
            while true {
                let count = recv(socket, &buffer, buffer.count, 0)
                if count < 0 { throw SocketFailure("recv: errno \(errno) after \(answer.count) bytes") }
                if count == 0 { break }
                answer += buffer[0..<count]
                // A keep-alive answer does not end with the connection: its head and body are enough.
                if !connectionClose, let text = String(bytes: answer, encoding: .utf8), text.contains("\r\n\r\n"), text.hasSuffix("}") {
                    break
                }
            }
            return String(decoding: answer, as: UTF8.self)
        }
    }

    static func writeAll(_ socket: Int32, _ bytes: [UInt8]) throws {
        var sent = 0
        while sent < bytes.count {
            let count = bytes[sent...].withUnsafeBytes { send(socket, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard count > 0 else { throw SocketFailure("send: errno \(errno) after \(sent) bytes") }
            sent += count
        }
    }

    struct SocketFailure: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }
}
