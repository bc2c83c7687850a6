import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import S3
import Synchronization
import Testing

/// A server whose keep-alive timeout always wins the race: it answers the first request of each
/// connection and closes the connection when a second one arrives, without answering it — what a
/// client meets when it reuses a pooled connection the server closed an instant before.
private final class FirstRequestOnlyHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let counts: Counts
    private var requestsOnThisConnection = 0

    init(counts: Counts) { self.counts = counts }

    func channelActive(context: ChannelHandlerContext) {
        counts.value.withLock { $0.connections += 1 }
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case .end = unwrapInboundIn(data) else { return }
        counts.value.withLock { $0.requests += 1 }
        requestsOnThisConnection += 1
        guard requestsOnThisConnection == 1 else {
            context.close(promise: nil)
            return
        }
        var headers = HTTPHeaders([("Content-Length", "0"), ("ETag", "\"e\""), ("Content-Type", "text/plain")])
        headers.add(name: "Connection", value: "keep-alive")
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .ok, headers: headers))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
    }
}

/// Shared so the handler (one per connection) and the test see the same figures.
private final class Counts: Sendable {
    let value = Mutex<(connections: Int, requests: Int)>((0, 0))
}

@Suite struct S3StaleConnectionTests {
    @Test func aRequestOnAConnectionTheServerClosedIsSentAgainOnAFreshOne() async throws {
        let counts = Counts()
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(FirstRequestOnlyHandler(counts: counts))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        let port = try #require(server.localAddress?.port)
        let httpClient = HTTPClient(eventLoopGroupProvider: .singleton)
        let client = S3Client(
            configuration: S3Configuration(
                endpoint: URL(string: "http://127.0.0.1:\(port)")!,
                credentials: S3Credentials(accessKey: "test", secretKey: "test")
            ),
            httpClient: httpClient,
            logger: Logger(label: "s3-test")
        )
        do {
            for _ in 0..<3 {
                let info = try await client.headObject(bucket: "bucket", key: "key")
                #expect(info?.etag == "\"e\"")
            }
        } catch {
            try await httpClient.shutdown()
            try await server.close()
            throw error
        }
        try await httpClient.shutdown()
        try await server.close()
        let seen = counts.value.withLock { $0 }
        // A connection answers one request, so three answers took three connections; the second call
        // could only reuse the first connection, so at least one request met a closed one.
        #expect(seen.connections == 3)
        #expect(seen.requests >= 4)
    }
}
