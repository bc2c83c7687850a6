import ComptoirContracts
import ComptoirKit
import ComptoirTesting
import FluentKit
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Testing

/// `WebsiteScoped.find`: the path's row in the request's store, else the same 404 for every
/// reason; for a model whose rows may have no store, no store in the request reads them all.
@Suite struct WebsiteScopedTests {
    final class Note: Model, @unchecked Sendable {
        static let schema = "scoped_notes"
        @ID(key: .id) var id: UUID?
        @Field(key: "website_id") var websiteId: UUID
        @Field(key: "owner") var owner: String

        init() {}
        init(websiteId: UUID, owner: String) {
            self.id = UUID()
            self.websiteId = websiteId
            self.owner = owner
        }
    }

    /// Like an address: written with the resolved store, or none.
    final class Draft: Model, @unchecked Sendable {
        static let schema = "scoped_drafts"
        @ID(key: .id) var id: UUID?
        @OptionalField(key: "website_id") var websiteId: UUID?

        init() {}
        init(websiteId: UUID?) {
            self.id = UUID()
            self.websiteId = websiteId
        }
    }

    struct CreateTables: AsyncMigration {
        func prepare(on database: any Database) async throws {
            try await database.schema(Note.schema).id().field("website_id", .uuid, .required).field("owner", .string, .required).create()
            try await database.schema(Draft.schema).id().field("website_id", .uuid).create()
        }

        func revert(on database: any Database) async throws {}
    }

    @Test func findsOnlyTheRequestsStoresRowAndAnswersEveryMissAlike() async throws {
        let storeA = UUID()
        try await withRoutes { client, database in
            let inA = Note(websiteId: storeA, owner: "ann")
            let inDefault = Note(websiteId: .defaultWebsite, owner: "bob")
            try await inA.create(on: database)
            try await inDefault.create(on: database)
            let (idA, idDefault) = (try inA.requireID(), try inDefault.requireID())
            let a: HTTPFields = [.comptoirWebsiteId: storeA.uuidString]
            let b: HTTPFields = [.comptoirWebsiteId: UUID().uuidString]

            #expect(try await client.json(.get, "/notes/\(idA)", headers: a).text == "ann")
            #expect(try await client.json(.get, "/notes/\(idDefault)").text == "bob", "no store is the default store")
            let misses: [(String, HTTPFields)] = [
                ("/notes/\(idA)", b), ("/notes/\(idA)", [:]), ("/notes/\(idDefault)", a), ("/notes/\(UUID())", a), ("/notes/not-a-uuid", a),
                ("/notes/\(idA)/of/bob", a),
            ]
            for (uri, headers) in misses {
                let response = try await client.json(.get, uri, headers: headers)
                #expect(response.status == .notFound, "\(uri)")
                #expect(response.object["detail"] as? String == "No such note.", "\(uri)")
            }
            #expect(try await client.json(.get, "/notes/\(idA)/of/ann", headers: a).text == "ann", "narrowed")
            #expect(try await client.json(.get, "/boards/\(idA)", headers: a).text == "ann", "another parameter")
        }
    }

    @Test func aModelMayReadEveryStoresRowsWhenTheRequestHasNone() async throws {
        let storeA = UUID()
        try await withRoutes { client, database in
            let inA = Draft(websiteId: storeA)
            let inNone = Draft(websiteId: nil)
            try await inA.create(on: database)
            try await inNone.create(on: database)
            #expect(try await client.json(.get, "/drafts/\(inA.requireID())").status == .ok)
            #expect(try await client.json(.get, "/drafts/\(inNone.requireID())").status == .ok)
            #expect(try await client.json(.get, "/drafts/\(inA.requireID())", headers: [.comptoirWebsiteId: storeA.uuidString]).status == .ok)
            for draft in [inA, inNone] {
                let other = try await client.json(.get, "/drafts/\(draft.requireID())", headers: [.comptoirWebsiteId: UUID().uuidString])
                #expect(other.status == .notFound)
            }
        }
    }

    func withRoutes(_ body: @Sendable (any TestClientProtocol, any Database) async throws -> Void) async throws {
        let directory = try TestPlatform.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let configuration = try TestPlatform.configuration(dataDirectory: directory)
        var quiet = Logger(label: "test")
        quiet.logLevel = .critical
        let database = try await ServiceDatabase(service: .questions, configuration: configuration, logger: quiet)
        do {
            try await database.migrate([CreateTables()])
            let router = Router(context: ComptoirRequestContext.self)
            ServiceHost.addStandardMiddleware(to: router, metrics: ServiceMetrics(), configuration: configuration)
            router.add(middleware: WebsiteScopeMiddleware())
            router.get("/notes/:id") { _, context in try await Note.find(in: context, on: database.fluent, notFound: "note").owner }
            router.get("/notes/:id/of/:owner") { _, context in
                let owner = context.parameters.get("owner") ?? ""
                return try await Note.find(in: context, on: database.fluent, notFound: "note") { $0.filter(\.$owner == owner) }.owner
            }
            router.get("/boards/:board") { _, context in
                try await Note.find(in: context, parameter: "board", on: database.fluent, notFound: "note").owner
            }
            router.get("/drafts/:id") { _, context in
                try await Draft.find(in: context, on: database.fluent, notFound: "draft").requireID().uuidString
            }
            try await Application(router: router, logger: quiet).test(.router) { client in try await body(client, database.fluent) }
        } catch {
            await database.shutdown()
            throw error
        }
        await database.shutdown()
    }
}

extension WebsiteScopedTests.Note: WebsiteScoped {
    static var websiteIdKey: KeyPath<WebsiteScopedTests.Note, FieldProperty<WebsiteScopedTests.Note, UUID>> { \.$websiteId }
}

extension WebsiteScopedTests.Draft: WebsiteScoped {
    static var websiteIdKey: KeyPath<WebsiteScopedTests.Draft, OptionalFieldProperty<WebsiteScopedTests.Draft, UUID>> { \.$websiteId }
    static func website(for context: ComptoirRequestContext) -> UUID? { context.websiteId }
}
