import AuthService
import ComptoirKit
import ComptoirTesting
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

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
                port: client.port!,
                path: "/auth/register",
                connectionClose: connectionClose
            )
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

    /// Writes the head and all of a 30 MiB body with blocking writes, then reads the answer.
    static func sendWholeBodyThenRead(port: Int, path: String, connectionClose: Bool) async throws -> String {
        let head =
            "POST \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            + "Content-Length: \(bodySize)\r\n\(connectionClose ? "Connection: close\r\n" : "")\r\n"
        let chunk = [UInt8](repeating: UInt8(ascii: " "), count: 1 << 16)
        return try await RawHTTPExchange.send(port: port, head: head, chunk: chunk, repeats: bodySize / chunk.count)
    }
}
