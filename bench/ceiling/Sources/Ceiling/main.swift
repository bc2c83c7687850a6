// GET /products/{id} -> a 10-field product, encoded with JSONEncoder on every request.
// Usage: Ceiling <port>   (binds 127.0.0.1)
import Foundation
import Hummingbird

struct Product: Codable, Sendable {
    let id: String
    let sku: String
    let name: String
    let description: String
    let price: Int
    let currency: String
    let stock: Int
    let category: String
    let images: [String]
    let createdAt: String
}

let port = CommandLine.arguments.count > 1 ? Int(CommandLine.arguments[1]) ?? 8080 : 8080
let encoder = JSONEncoder()
encoder.keyEncodingStrategy = .convertToSnakeCase

let router = Router()
router.get("/products/{id}") { _, context -> Response in
    let id = try context.parameters.require("id")
    let product = Product(
        id: id, sku: "BENCH-\(id.prefix(8))", name: "Bench product",
        description: "A product read many times over.", price: 1999, currency: "EUR", stock: 100,
        category: "bench", images: [], createdAt: "2026-12-01T00:00:00.000Z")
    let body = try encoder.encode(product)
    return Response(
        status: .ok,
        headers: [.contentType: "application/json; charset=utf-8"],
        body: .init(byteBuffer: ByteBuffer(bytes: body)))
}
router.get("/health") { _, _ in "ok" }

let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)))
try await app.runService()
