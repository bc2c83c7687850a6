import Foundation
import NIOPosix

#if canImport(Glibc)
import Glibc
#endif

/// One HTTP/1.1 exchange over a plain blocking socket, for requests no HTTP client library will
/// send (bodies written whole before reading, lengths that lie, broken chunks). It runs on a thread
/// of its own: a write blocked by a server that stopped reading must not hold up the server.
enum RawHTTPExchange {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// Writes `head`, then `chunk` `repeats` times, then reads until the response is complete (its
    /// `Content-Length` has arrived) or the server closes. Returns the response as text.
    static func send(port: Int, head: String, chunk: [UInt8] = [], repeats: Int = 1, readTimeout: Int = 30) async throws -> String {
        try await NIOThreadPool.singleton.runIfActive {
            let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            guard socket >= 0 else { throw Failure(description: "socket: errno \(errno)") }
            defer { close(socket) }
            var timeout = timeval(tv_sec: readTimeout, tv_usec: 0)
            setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            setsockopt(socket, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = in_port_t(UInt16(port).bigEndian)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            guard connected == 0 else { throw Failure(description: "connect: errno \(errno)") }
            try writeAll(socket, Array(head.utf8))
            if !chunk.isEmpty {
                for _ in 0..<repeats { try writeAll(socket, chunk) }
            }
            var answer: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 1 << 16)
            while !isComplete(answer) {
                let count = recv(socket, &buffer, buffer.count, 0)
                if count < 0 { throw Failure(description: "recv: errno \(errno) after \(answer.count) bytes") }
                if count == 0 { break }
                answer += buffer[0..<count]
            }
            return String(decoding: answer, as: UTF8.self)
        }
    }

    /// Whether `bytes` hold a response head and all of the body its `Content-Length` announces.
    static func isComplete(_ bytes: [UInt8]) -> Bool {
        let text = String(decoding: bytes, as: UTF8.self)
        guard let end = text.range(of: "\r\n\r\n") else { return false }
        let head = text[..<end.lowerBound].lowercased()
        guard let line = head.split(separator: "\r\n").first(where: { $0.hasPrefix("content-length:") }),
            let length = Int(line.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces))
        else { return false }
        return text.utf8.count - text.utf8.distance(from: text.startIndex, to: end.upperBound) >= length
    }

    static func writeAll(_ socket: Int32, _ bytes: [UInt8]) throws {
        var sent = 0
        while sent < bytes.count {
            let count = bytes[sent...].withUnsafeBytes { Glibc.send(socket, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard count > 0 else { throw Failure(description: "send: errno \(errno) after \(sent) bytes") }
            sent += count
        }
    }
}
