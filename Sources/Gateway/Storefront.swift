import ComptoirKit
import Foundation
import Hummingbird
import NIOCore

/// The storefront web app's files, read once from the bundle and served from memory.
struct Storefront: Sendable {
    struct File: Sendable {
        var contentType: String
        var bytes: ByteBuffer
    }

    let files: [String: File]

    init() {
        var files: [String: File] = [:]
        let types = [
            "html": "text/html; charset=utf-8", "js": "text/javascript; charset=utf-8", "css": "text/css; charset=utf-8", "svg": "image/svg+xml",
        ]
        if let folder = Bundle.module.url(forResource: "Storefront", withExtension: nil),
            let names = try? FileManager.default.contentsOfDirectory(atPath: folder.path)
        {
            for name in names {
                guard let type = types[(name as NSString).pathExtension],
                    let data = FileManager.default.contents(atPath: folder.appendingPathComponent(name).path)
                else { continue }
                files[name] = File(contentType: type, bytes: ByteBuffer(bytes: data))
            }
        }
        self.files = files
    }

    func add(to router: Router<ComptoirRequestContext>) {
        router.get("/") { _, _ in try serve("index.html") }
        router.get("/:file") { _, context in try serve(context.parameters.get("file") ?? "") }
    }

    private func serve(_ name: String) throws -> Response {
        guard let file = files[name] else { throw HTTPError(.notFound) }
        return Response(
            status: .ok,
            headers: [.contentType: file.contentType, .cacheControl: name == "index.html" ? "no-cache" : "public, max-age=300"],
            body: .init(byteBuffer: file.bytes)
        )
    }
}
