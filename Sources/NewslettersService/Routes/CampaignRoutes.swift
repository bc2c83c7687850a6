import ComptoirContracts
import ComptoirKit
import FluentKit
import Foundation
import Hummingbird

/// Campaigns (role `marketing`): created as drafts, then sent now or at a given time.
struct CampaignRoutes: Sendable {
    let environment: ServiceEnvironment
    let runner: CampaignRunner

    var database: any Database { environment.database.fluent }

    func declare(_ api: ServiceAPI) {
        typealias Doc = NewslettersOpenAPI
        api.endpoint(
            .get,
            "/newsletters/campaigns",
            id: "campaigns",
            summary: "The store's campaigns, newest first",
            access: Doc.marketing,
            parameters: OpenAPI.pagination + [OpenAPI.parameter("status", Doc.campaignStatus)],
            responses: [200: OpenAPI.json(OpenAPI.page(of: "Campaign"))],
            use: list
        )
        api.endpoint(
            .post,
            "/newsletters/campaigns",
            id: "create_campaign",
            summary: "A campaign from a template, a draft unless scheduled_at is given",
            access: Doc.marketing,
            body: Doc.campaignBody,
            responses: [201: OpenAPI.json(OpenAPI.ref("Campaign"), "Created")],
            use: create
        )
        api.endpoint(
            .get,
            "/newsletters/campaigns/{id}",
            id: "campaign",
            summary: "One campaign with its sent count",
            access: Doc.marketing,
            parameters: [Doc.id],
            responses: [200: OpenAPI.json(OpenAPI.ref("Campaign")), 404: Doc.noCampaign],
            use: show
        )
        api.endpoint(
            .post,
            "/newsletters/campaigns/{id}/send",
            id: "send",
            summary: "Send now, or at scheduled_at",
            access: Doc.marketing,
            parameters: [Doc.id],
            body: Doc.sendBody,
            responses: [
                202: OpenAPI.json(OpenAPI.ref("Campaign"), "Accepted"), 404: Doc.noCampaign,
                409: OpenAPI.problem("Already sending or sent"),
            ],
            use: send
        )
    }

    @Sendable func list(_ request: Request, context: ComptoirRequestContext) async throws -> JSONResponse<PagedList<CampaignResponse>> {
        let page = try PageRequest(from: request)
        var query = Campaign.query(on: database).filter(\.$websiteId == context.website)
        if let status = request.uri.queryParameters["status"].map(String.init) {
            guard Campaign.Status(rawValue: status) != nil else {
                throw ProblemError.validation([
                    .init(field: "status", message: "must be one of \(Campaign.Status.allCases.map(\.rawValue).joined(separator: ", "))")
                ])
            }
            query = query.filter(\.$status == status)
        }
        let total = try await query.count()
        var items: [CampaignResponse] = []
        for campaign in try await query.sort(\.$createdAt, .descending).range(page.rows).all() {
            items.append(try CampaignResponse(campaign, sentCount: try await runner.sentCount(campaign)))
        }
        return JSONResponse(PagedList(items: items, total: total, request: page))
    }

    @Sendable func create(_ request: Request, context: ComptoirRequestContext) async throws -> JSONResponse<CampaignResponse> {
        let body = try await request.decodeJSON(as: CampaignRequest.self, context: context)
        var validator = Validator()
        validator.text(body.subject, "subject", length: 1...200)
        let template = try await MailTemplate.find(body.templateId, on: database)
        validator.expect(template?.websiteId == context.website, "template_id", "is not a template of this store")
        try validator.check()
        _ = try CampaignTemplate(subject: body.subject, text: "-", html: nil)
        let campaign = Campaign(
            websiteId: context.website,
            subject: body.subject.trimmingCharacters(in: .whitespacesAndNewlines),
            templateId: body.templateId
        )
        if let at = body.scheduledAt {
            campaign.status = Campaign.Status.scheduled.rawValue
            campaign.scheduledAt = at
        }
        try await campaign.create(on: database)
        return JSONResponse(try CampaignResponse(campaign, sentCount: 0), status: .created)
    }

    @Sendable func show(_ request: Request, context: ComptoirRequestContext) async throws -> JSONResponse<CampaignResponse> {
        let campaign = try await Campaign.find(in: context, on: database, notFound: "campaign")
        return JSONResponse(try CampaignResponse(campaign, sentCount: try await runner.sentCount(campaign)))
    }

    /// A draft (or a scheduled campaign, to move it) goes out at `scheduled_at`, or now.
    @Sendable func send(_ request: Request, context: ComptoirRequestContext) async throws -> JSONResponse<CampaignResponse> {
        let campaign = try await Campaign.find(in: context, on: database, notFound: "campaign")
        let hasBody = (request.headers[.contentLength].flatMap(Int.init) ?? 0) > 0
        let body = hasBody ? try await request.decodeJSON(as: SendRequest.self, context: context) : SendRequest(scheduledAt: nil)
        guard [Campaign.Status.draft.rawValue, Campaign.Status.scheduled.rawValue].contains(campaign.status) else {
            throw ProblemError.conflict("This campaign is \(campaign.status); it cannot be sent again.")
        }
        campaign.status = Campaign.Status.scheduled.rawValue
        campaign.scheduledAt = body.scheduledAt ?? Date()
        try await campaign.update(on: database)
        runner.notify()
        let campaignId = try campaign.requireID()
        context.logger.info("campaign scheduled", metadata: ["campaign_id": .string(campaignId.uuidString)])
        return JSONResponse(try CampaignResponse(campaign, sentCount: try await runner.sentCount(campaign)), status: .accepted)
    }
}
