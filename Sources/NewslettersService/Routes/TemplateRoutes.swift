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
        api.endpoint(
            .put,
            "/newsletters/templates/{id}",
            id: "update_template",
            summary: "Replace a template's name, subject and parts (campaigns sent later use the new sources)",
            access: Doc.marketing,
            parameters: [Doc.id],
            body: Doc.templateBody,
            responses: [200: OpenAPI.json(OpenAPI.ref("Template")), 404: Doc.noTemplate],
            use: update
        )
        api.endpoint(
            .post,
            "/newsletters/templates/preview",
            id: "preview_draft",
            summary: "Unsaved sources rendered with sample values (a live preview while editing)",
            access: Doc.marketing,
            body: Doc.draftPreviewBody,
            responses: [200: OpenAPI.json(Doc.preview)],
            use: previewDraft
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
        _ = try body.validated()
        let template = MailTemplate(
            websiteId: context.website,
            name: body.name.trimmingCharacters(in: .whitespacesAndNewlines),
            subject: body.subject,
            hasHTML: body.html != nil
        )
        try await storeSources(of: template, body)
        try await template.create(on: database)
        return JSONResponse(try response(template, body), status: .created)
    }

    @Sendable func update(_ request: Request, context: ComptoirRequestContext) async throws -> JSONResponse<TemplateResponse> {
        let template = try await MailTemplate.find(in: context, on: database, notFound: "template")
        let body = try await request.decodeJSON(as: TemplateRequest.self, context: context)
        _ = try body.validated()
        let hadHTML = template.hasHTML
        template.name = body.name.trimmingCharacters(in: .whitespacesAndNewlines)
        template.subject = body.subject
        template.hasHTML = body.html != nil
        try await storeSources(of: template, body)
        try await template.update(on: database)
        if hadHTML, body.html == nil {
            await environment.blobs.deleteOrphan(try template.htmlKey, logger: context.logger, metrics: environment.metrics)
        }
        return JSONResponse(try response(template, body))
    }

    private func storeSources(of template: MailTemplate, _ body: TemplateRequest) async throws {
        try await environment.blobs.put(template.textKey, contentType: "text/plain; charset=utf-8", bytes: ByteBuffer(string: body.text))
        if let html = body.html {
            try await environment.blobs.put(template.htmlKey, contentType: "text/html; charset=utf-8", bytes: ByteBuffer(string: html))
        }
    }

    private func response(_ template: MailTemplate, _ body: TemplateRequest) throws -> TemplateResponse {
        TemplateResponse(
            id: try template.requireID(),
            name: template.name,
            subject: template.subject,
            text: body.text,
            html: body.html,
            createdAt: template.createdAt
        )
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

    @Sendable func previewDraft(_ request: Request, context: ComptoirRequestContext) async throws -> JSONResponse<CampaignTemplate.Rendered> {
        let draft = try await request.decodeJSON(as: DraftPreviewRequest.self, context: context).validated()
        return JSONResponse(
            draft.template.render(draft.values, unsubscribeURL: try links.unsubscribeURL(email: draft.email, websiteId: context.website))
        )
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
