import ComptoirContracts
import ComptoirKit
import FluentKit
import Foundation
import Hummingbird
import NIOCore

/// Campaign templates (role `marketing`): Mustache sources checked when saved, kept in the blob
/// store, previewed with sample values.
struct TemplateRoutes: Sendable {
    let environment: ServiceEnvironment
    let links: SubscriptionLinks

    var database: any Database { environment.database.fluent }

    func declare(_ api: ServiceAPI) {
        typealias Doc = NewslettersOpenAPI
        api.endpoint(
            .get,
            "/newsletters/templates",
            id: "templates",
            summary: "The store's mail templates, newest first",
            access: Doc.marketing,
            parameters: OpenAPI.pagination,
            responses: [200: OpenAPI.json(OpenAPI.page(of: "Template"))],
            use: list
        )
        api.endpoint(
            .post,
            "/newsletters/templates",
            id: "create_template",
            summary: "A Mustache template: subject, text part and optional HTML part",
            access: Doc.marketing,
            body: Doc.templateBody,
            responses: [201: OpenAPI.json(OpenAPI.ref("Template"), "Created")],
            use: create
        )
        api.endpoint(
            .get,
            "/newsletters/templates/{id}",
            id: "template",
            summary: "One template",
            access: Doc.marketing,
            parameters: [Doc.id],
            responses: [200: OpenAPI.json(OpenAPI.ref("Template")), 404: Doc.noTemplate],
            use: show
        )
        api.endpoint(
            .post,
            "/newsletters/templates/{id}/preview",
            id: "preview",
            summary: "The template rendered with sample values",
            access: Doc.marketing,
            parameters: [Doc.id],
            body: Doc.previewBody,
            responses: [200: OpenAPI.json(Doc.preview), 404: Doc.noTemplate],
            use: preview
        )
    }

    @Sendable func list(_ request: Request, context: ComptoirRequestContext) async throws -> JSONResponse<PagedList<TemplateResponse>> {
        let page = try PageRequest(from: request)
        let query = MailTemplate.query(on: database).filter(\.$websiteId == context.website)
        let total = try await query.count()
        var items: [TemplateResponse] = []
        for template in try await query.sort(\.$createdAt, .descending).range(page.rows).all() {
            items.append(try await response(template))
        }
        return JSONResponse(PagedList(items: items, total: total, request: page))
    }

    @Sendable func create(_ request: Request, context: ComptoirRequestContext) async throws -> JSONResponse<TemplateResponse> {
        let body = try await request.decodeJSON(as: TemplateRequest.self, context: context)
        var validator = Validator()
        validator.text(body.name, "name", length: 1...100)
        validator.text(body.subject, "subject", length: 1...200)
        validator.expect(
            !body.text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty && body.text.count <= 100_000,
            "text",
            "is required: the plain-text part, at most 100,000 characters"
        )
        validator.expect((body.html?.count ?? 0) <= 500_000, "html", "must be at most 500,000 characters")
        try validator.check()
        _ = try CampaignTemplate(subject: body.subject, text: body.text, html: body.html)
        let template = MailTemplate(
            websiteId: context.website,
            name: body.name.trimmingCharacters(in: .whitespacesAndNewlines),
            subject: body.subject,
            hasHTML: body.html != nil
        )
        try await environment.blobs.put(template.textKey, contentType: "text/plain; charset=utf-8", bytes: ByteBuffer(string: body.text))
        if let html = body.html {
            try await environment.blobs.put(template.htmlKey, contentType: "text/html; charset=utf-8", bytes: ByteBuffer(string: html))
        }
        try await template.create(on: database)
        let created = TemplateResponse(
            id: try template.requireID(),
            name: template.name,
            subject: template.subject,
            text: body.text,
            html: body.html,
            createdAt: template.createdAt
        )
        return JSONResponse(created, status: .created)
    }

    @Sendable func show(_ request: Request, context: ComptoirRequestContext) async throws -> JSONResponse<TemplateResponse> {
        JSONResponse(try await response(try await MailTemplate.find(in: context, on: database, notFound: "template")))
    }

    /// The mail as a subscriber would get it, with `values` for the variables.
    @Sendable func preview(_ request: Request, context: ComptoirRequestContext) async throws -> JSONResponse<CampaignTemplate.Rendered> {
        let template = try await MailTemplate.find(in: context, on: database, notFound: "template")
        let sample = try await request.decodeJSON(as: PreviewRequest.self, context: context).validated()
        let sources = try await TemplateSources.load(template, from: environment.blobs)
        let compiled = try CampaignTemplate(subject: template.subject, text: sources.text, html: sources.html)
        return JSONResponse(compiled.render(sample.values, unsubscribeURL: try links.unsubscribeURL(email: sample.email, websiteId: context.website)))
    }

    private func response(_ template: MailTemplate) async throws -> TemplateResponse {
        let sources = try await TemplateSources.load(template, from: environment.blobs)
        return TemplateResponse(
            id: try template.requireID(),
            name: template.name,
            subject: template.subject,
            text: sources.text,
            html: sources.html,
            createdAt: template.createdAt
        )
    }
}

/// A template's bodies, read back from the blob store.
enum TemplateSources {
    static func load(_ template: MailTemplate, from blobs: any BlobStore) async throws -> (text: String, html: String?) {
        func read(_ key: String) async throws -> String {
            guard let blob = try await blobs.get(key) else {
                throw ProblemError(.internalServerError, "The template's body is missing from the blob store.")
            }
            var buffer = ByteBuffer()
            for try await chunk in blob.body { buffer.writeImmutableBuffer(chunk) }
            return String(buffer: buffer)
        }
        return (try await read(template.textKey), template.hasHTML ? try await read(template.htmlKey) : nil)
    }
}
