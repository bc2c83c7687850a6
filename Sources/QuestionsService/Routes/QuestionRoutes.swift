import ComptoirContracts
import ComptoirKit
import FluentKit
import FluentSQL
import Foundation
import Hummingbird

/// The FAQ of the current store: anyone reads and searches it, admins edit it.
struct QuestionRoutes: Sendable {
    let environment: ServiceEnvironment

    var database: any Database { environment.database.fluent }

    func declare(_ api: ServiceAPI) {
        typealias Doc = QuestionsOpenAPI
        Doc.schemas(api)
        api.endpoint(
            .get,
            "/questions",
            id: "list",
            summary: "The FAQ by category and position; q searches questions and answers",
            access: .public,
            parameters: OpenAPI.pagination + [OpenAPI.parameter("q", OpenAPI.string), OpenAPI.parameter("category", OpenAPI.string)],
            responses: [200: OpenAPI.json(OpenAPI.page(of: "Question")), 422: OpenAPI.problem("Bad query")],
            use: list
        )
        api.endpoint(
            .post,
            "/questions",
            id: "create",
            summary: "Add an entry (last in its category unless a position is given)",
            access: Doc.admin,
            body: Doc.body,
            responses: [201: OpenAPI.json(OpenAPI.ref("Question"), "Created"), 422: Doc.invalid],
            use: create
        )
        api.endpoint(
            .get,
            "/questions/categories",
            id: "categories",
            summary: "The FAQ's categories with their entry counts",
            access: .public,
            responses: [200: OpenAPI.json(OpenAPI.array(of: Doc.category))],
            use: categories
        )
        api.endpoint(
            .get,
            "/questions/{id}",
            id: "show",
            summary: "One entry",
            access: .public,
            parameters: [Doc.id],
            responses: [200: OpenAPI.json(OpenAPI.ref("Question")), 404: Doc.notFound],
            use: show
        )
        api.endpoint(
            .put,
            "/questions/{id}",
            id: "update",
            summary: "Replace an entry",
            access: Doc.admin,
            parameters: [Doc.id],
            body: Doc.body,
            responses: [200: OpenAPI.json(OpenAPI.ref("Question")), 404: Doc.notFound, 422: Doc.invalid],
            use: update
        )
        api.endpoint(
            .delete,
            "/questions/{id}",
            id: "delete",
            summary: "Remove an entry",
            access: Doc.admin,
            parameters: [Doc.id],
            responses: [204: OpenAPI.empty("Deleted"), 404: Doc.notFound],
            use: delete
        )
    }

    /// `?q=` is full-text over questions and answers; `?category=` a slug. Entries come by
    /// category, then in their editors' order.
    @Sendable func list(_ request: Request, context: ComptoirRequestContext) async throws -> JSONResponse<PagedList<QuestionResponse>> {
        let page = try PageRequest(from: request)
        let parameters = request.uri.queryParameters
        var query = Question.query(on: database).filter(\.$websiteId == context.website)
        if let category = parameters["category"].map(String.init) { query = query.filter(\.$category == category.lowercased()) }
        if let search = parameters["q"].map(String.init) {
            guard search.count <= 200 else { throw ProblemError.validation([.init(field: "q", message: "must be at most 200 characters")]) }
            if let match = Question.textIndex.condition(matching: search, dialect: environment.database.dialect) { query = query.filter(.sql(match)) }
        }
        let total = try await query.count()
        let questions = try await query.sort(\.$category).sort(\.$position).sort(\.$createdAt).range(page.rows).all()
        return JSONResponse(PagedList(items: try questions.map(QuestionResponse.init), total: total, request: page))
    }

    @Sendable func categories(_ request: Request, context: ComptoirRequestContext) async throws -> JSONResponse<[QuestionCategory]> {
        // A FAQ has tens of entries, not millions: counting them here keeps the query portable.
        let categories = try await Question.query(on: database).filter(\.$websiteId == context.website).all(\.$category)
        let counts = Dictionary(categories.map { ($0, 1) }, uniquingKeysWith: +)
        return JSONResponse(counts.sorted { $0.key < $1.key }.map { QuestionCategory(slug: $0.key, questionCount: $0.value) })
    }

    @Sendable func show(_ request: Request, context: ComptoirRequestContext) async throws -> JSONResponse<QuestionResponse> {
        JSONResponse(try QuestionResponse(try await Question.find(in: context, on: database, notFound: "question")))
    }

    @Sendable func create(_ request: Request, context: ComptoirRequestContext) async throws -> JSONResponse<QuestionResponse> {
        let fields = try await request.decodeJSON(as: QuestionRequest.self, context: context).validated()
        let question = Question(websiteId: context.website)
        try await environment.database.transaction { tx in
            try await apply(fields, to: question, on: tx)
            try await question.create(on: tx)
            try await Question.textIndex.index(try question.requireID(), values: question.indexedText, on: tx)
        }
        return JSONResponse(try QuestionResponse(question), status: .created)
    }

    @Sendable func update(_ request: Request, context: ComptoirRequestContext) async throws -> JSONResponse<QuestionResponse> {
        let question = try await Question.find(in: context, on: database, notFound: "question")
        let fields = try await request.decodeJSON(as: QuestionRequest.self, context: context).validated()
        try await environment.database.transaction { tx in
            try await apply(fields, to: question, on: tx)
            question.updatedAt = Date()
            try await question.update(on: tx)
            try await Question.textIndex.index(try question.requireID(), values: question.indexedText, on: tx)
        }
        return JSONResponse(try QuestionResponse(question))
    }

    @Sendable func delete(_ request: Request, context: ComptoirRequestContext) async throws -> Response {
        let question = try await Question.find(in: context, on: database, notFound: "question")
        try await environment.database.transaction { tx in
            try await Question.textIndex.unindex(try question.requireID(), on: tx)
            try await question.delete(on: tx)
        }
        return Response(status: .noContent)
    }

    /// Without a position, a new or re-categorised entry goes last in its category.
    private func apply(_ fields: QuestionRequest, to question: Question, on tx: any Database) async throws {
        let movedCategory = question.$category.value != fields.category
        question.question = fields.question
        question.answer = fields.answer
        question.category = fields.category
        if let position = fields.position {
            question.position = position
        } else if movedCategory {
            let last = try await Question.query(on: tx).filter(\.$websiteId == question.websiteId).filter(\.$category == fields.category).max(
                \.$position
            )
            question.position = (last ?? -1) + 1
        }
    }
}
