import AuthService
import ComptoirContracts
import ComptoirKit
import ComptoirTesting
import Foundation
import Gateway
import Hummingbird
import HummingbirdTesting
import NIOPosix

/// Starts a real auth service on an ephemeral port and a gateway in front of it, both over real
/// sockets, and runs `body` with a client of the gateway. `extraUpstreams` add more services.
func withGateway(
    environment: [String: String] = [:],
    authUp: Bool = true,
    extraUpstreams: [ServiceID: URL] = [:],
    _ body: @escaping @Sendable (any TestClientProtocol) async throws -> Void
) async throws {
    let directory = try TestPlatform.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let platform = try await TestPlatform.resources(dataDirectory: directory, environment: environment)
    let host = try await ServiceHost.make(AuthService.self, platform: platform)
    let runGateway: @Sendable (URL) async throws -> Void = { authURL in
        var upstreams = extraUpstreams
        upstreams[.auth] = authURL
        let configuration = try GatewayConfiguration(environment: platform.configuration.environment)
        try await Gateway(platform: platform, configuration: configuration, upstreams: upstreams).application(host: "127.0.0.1", port: 0).test(
            .live,
            body
        )
    }
    if authUp {
        try await host.application(port: 0).test(.live) { authClient in
            try await runGateway(URL(string: "http://127.0.0.1:\(authClient.port!)")!)
        }
    } else {
        await host.environment.database.shutdown()
        do {
            try await runGateway(URL(string: "http://127.0.0.1:\(try unusedPort())")!)
        } catch {
            await platform.shutdown()
            throw error
        }
        await platform.shutdown()
    }
}

/// A port nothing listens on: bound, then released.
func unusedPort() throws -> Int {
    let channel = try ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(host: "127.0.0.1", port: 0).wait()
    let port = channel.localAddress!.port!
    try channel.close().wait()
    return port
}
