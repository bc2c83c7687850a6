import AsyncHTTPClient
import ComptoirKit
import ComptoirTesting
import Foundation
import Gateway
import HummingbirdTesting
import NIOCore
import NIOHTTP1
import NIOSSL
import Testing

/// With a certificate configured the gateway speaks TLS 1.3 and refuses older versions.
@Suite struct TLSTests {
    /// A self-signed certificate for 127.0.0.1 made with the openssl command.
    func makeCertificate(in directory: URL) throws -> (certificate: String, key: String) {
        let certificate = directory.appendingPathComponent("cert.pem").path
        let key = directory.appendingPathComponent("key.pem").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1",
            "-subj", "/CN=127.0.0.1", "-keyout", key, "-out", certificate,
        ]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw TestFailure("openssl could not make a certificate") }
        return (certificate, key)
    }

    func get(_ url: String, maximumVersion: TLSVersion) async throws -> Int {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.certificateVerification = .none
        tls.maximumTLSVersion = maximumVersion
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(tlsConfiguration: tls))
        do {
            let response = try await client.execute(HTTPClientRequest(url: url), timeout: .seconds(5))
            try await client.shutdown()
            return Int(response.status.code)
        } catch {
            try await client.shutdown()
            throw error
        }
    }

    @Test func gatewaySpeaksOnlyTLS13() async throws {
        let directory = try TestPlatform.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let (certificate, key) = try makeCertificate(in: directory)
        let platform = try await TestPlatform.resources(
            dataDirectory: directory,
            environment: ["COMPTOIR_TLS_CERT_FILE": certificate, "COMPTOIR_TLS_KEY_FILE": key]
        )
        let configuration = try GatewayConfiguration(environment: platform.configuration.environment)
        let app = try Gateway(platform: platform, configuration: configuration, upstreams: [:]).application(host: "127.0.0.1", port: 0)
        try await app.test(.live) { client in
            let url = "https://127.0.0.1:\(client.port!)/health/live"
            let status = try await get(url, maximumVersion: .tlsv13)
            #expect(status == 200)
            await #expect(throws: (any Error).self) { try await get(url, maximumVersion: .tlsv12) }
        }
    }
}
