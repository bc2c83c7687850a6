import ComptoirKit
import Foundation
import Hummingbird
import NIOCore

/// A web app's files (the storefront at `/`, the back-office at `/admin/`), read once from the
/// bundle and served from memory. Neither needs a build step: what is in the folder is served.
struct WebApp: Sendable {
    struct File: Sendable {
        var contentType: String
        var bytes: ByteBuffer
    }

    /// The storefront, at `/`.
    static let storefront = WebApp(folder: "Storefront", mountedAt: "")
    /// The staff back-office, at `/admin/`: the same API and tokens, pages chosen by role.
    static let backOffice = WebApp(folder: "Admin", mountedAt: "/admin")

    let files: [String: File]
    /// The path prefix, without a trailing slash (`""` for the root).
    let prefix: String

    init(folder: String, mountedAt prefix: String) {
        var files: [String: File] = [:]
        let types = [
            "html": "text/html; charset=utf-8", "js": "text/javascript; charset=utf-8", "css": "text/css; charset=utf-8",
            "svg": "image/svg+xml", "png": "image/png",
        ]
        if let url = Bundle.module.url(forResource: folder, withExtension: nil),
            let names = try? FileManager.default.contentsOfDirectory(atPath: url.path)
        {
            for name in names {
                guard let type = types[(name as NSString).pathExtension],
                    let data = FileManager.default.contents(atPath: url.appendingPathComponent(name).path)
                else { continue }
                files[name] = File(contentType: type, bytes: ByteBuffer(bytes: data))
            }
        }
        self.files = files
        self.prefix = prefix
    }

    func add(to router: Router<ComptoirRequestContext>) {
        let prefix = self.prefix
        router.get(RouterPath(prefix.isEmpty ? "/" : prefix)) { request, _ in
            // The router matches `/admin` and `/admin/` alike, but the app's relative file names
            // resolve against the directory only with the slash.
            guard request.uri.path.hasSuffix("/") else {
                return Response(status: .movedPermanently, headers: [.location: prefix + "/"])
            }
            return try serve("index.html")
        }
        router.get(RouterPath(prefix + "/:file")) { _, context in try serve(context.parameters.get("file") ?? "") }
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
