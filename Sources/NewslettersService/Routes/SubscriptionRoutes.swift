import ComptoirContracts
import ComptoirKit
import CoreMetrics
import FluentKit
import Foundation
import Hummingbird

/// Double opt-in: a subscription waits for the link mailed to the address; an unsubscribe link
/// (in every campaign mail and its `List-Unsubscribe` header) takes the address off at once.
/// Both links carry signed, expiring tokens; nothing secret is stored.
struct SubscriptionRoutes: Sendable {
    let environment: ServiceEnvironment
    let sender: MailSender
    let links: SubscriptionLinks

    /// One confirmation mail per address in this window, however often the form is sent.
    static let confirmationInterval: TimeInterval = 600
    static let confirmationReason = "newsletters.subscription.requested"

    var database: any Database { environment.database.fluent }

    func declare(_ api: ServiceAPI) {
        typealias Doc = NewslettersOpenAPI
        api.endpoint(
            .post,
            "/newsletters/subscriptions",
            id: "subscribe",
            summary: "Subscribe an address: a confirmation mail is sent (double opt-in)",
            access: .public,
            body: Doc.subscribeBody,
            responses: [202: OpenAPI.empty("Accepted, whether or not the address was already subscribed")],
            use: subscribe
        )
        api.endpoint(
            .get,
            "/newsletters/subscriptions/confirm",
            id: "confirm",
            summary: "Confirm a subscription from its mailed link",
            access: .public,
            parameters: [OpenAPI.parameter("token", OpenAPI.string, required: true)],
            responses: [
                200: OpenAPI.json(OpenAPI.ref("Subscription")), 400: Doc.badToken, 404: OpenAPI.problem("No such subscription"),
                410: Doc.expired,
            ],
            use: confirm
        )
        api.endpoint(
            .post,
            "/newsletters/unsubscribe",
            id: "unsubscribe",
            summary: "Unsubscribe with the token of a mail's link (or ?token= for one-click)",
            access: .public,
            body: Doc.token,
            responses: [200: OpenAPI.json(OpenAPI.ref("Subscription")), 400: Doc.badToken, 410: Doc.expired],
            use: unsubscribe
        )
        api.endpoint(
            .get,
            "/newsletters/subscribers",
            id: "subscribers",
            summary: "The store's list, newest first, searched by address and filtered by status",
            access: Doc.marketing,
            parameters: OpenAPI.pagination + [
                OpenAPI.parameter("q", ["type": "string", "maxLength": 254, "description": "part of the address"]),
                OpenAPI.parameter("status", Doc.subscriberStatus),
            ],
            responses: [200: OpenAPI.json(OpenAPI.page(of: "Subscriber")), 422: OpenAPI.problem("Bad filter")],
            use: subscribers
        )
    }

    @Sendable func subscribers(_ request: Request, context: ComptoirRequestContext) async throws -> JSONResponse<PagedList<SubscriberResponse>> {
        let page = try PageRequest(from: request)
        let parameters = request.uri.queryParameters
        var query = Subscriber.query(on: database).filter(\.$websiteId == context.website)
        var validator = Validator()
        if let search = parameters["q"].map(String.init)?.trimmingCharacters(in: .whitespaces).lowercased(), !search.isEmpty {
            validator.expect(search.count <= 254, "q", "must be at most 254 characters")
            query = query.filter(\.$email ~~ search)
        }
        if let status = parameters["status"].map(String.init) {
            if Subscriber.Status(rawValue: status) != nil {
                query = query.filter(\.$status == status)
            } else {
                validator.fail("status", "must be one of pending, confirmed, unsubscribed")
            }
        }
        try validator.check()
        let total = try await query.count()
        let rows = try await query.sort(\.$createdAt, .descending).sort(\.$id).range(page.rows).all()
        return JSONResponse(PagedList(items: try rows.map(SubscriberResponse.init), total: total, request: page))
    }

    /// Always 202, whether the address was new, pending or already confirmed: the answer says
    /// nothing about who is on the list.
    @Sendable func subscribe(_ request: Request, context: ComptoirRequestContext) async throws -> Response {
        let body = try await request.decodeJSON(as: SubscribeRequest.self, context: context)
        let email = body.email.trimmingCharacters(in: .whitespaces).lowercased()
        var validator = Validator()
        validator.email(email)
        try validator.check()
        let website = context.website
        let confirmURL = try links.confirmURL(email: email, websiteId: website)
        let queued = try await environment.database.transaction { tx -> Bool in
            let subscriber =
                try await Subscriber.query(on: tx).filter(\.$websiteId == website).filter(\.$email == email).first()
                ?? Subscriber(websiteId: website, email: email)
            guard subscriber.status != Subscriber.Status.confirmed.rawValue else { return false }
            let recent = try await OutgoingMail.query(on: tx).filter(\.$recipient == email).filter(\.$reason == Self.confirmationReason)
                .filter(\.$createdAt > Date().addingTimeInterval(-Self.confirmationInterval)).count()
            guard recent == 0 else { return false }
            subscriber.status = Subscriber.Status.pending.rawValue
            try await subscriber.save(on: tx)
            let content = MailContent.subscriptionConfirmation(confirmURL: confirmURL)
            try await OutgoingMail(
                websiteId: website,
                recipient: email,
                subject: content.subject,
                text: content.text,
                html: content.html,
                reason: Self.confirmationReason,
                causeId: "subscribe:\(try subscriber.requireID().uuidString.lowercased()):\(Int(Date().timeIntervalSince1970))"
            ).create(on: tx)
            return true
        }
        if queued { sender.notify() }
        return Response(status: .accepted)
    }

    @Sendable func confirm(_ request: Request, context: ComptoirRequestContext) async throws -> JSONResponse<SubscriptionResponse> {
        let token = try links.verify(request.uri.queryParameters["token"].map(String.init) ?? "", purpose: "confirm")
        guard
            let subscriber = try await Subscriber.query(on: database).filter(\.$websiteId == token.websiteId).filter(\.$email == token.email).first()
        else { throw ProblemError.notFound("subscription") }
        if subscriber.status != Subscriber.Status.confirmed.rawValue {
            subscriber.status = Subscriber.Status.confirmed.rawValue
            subscriber.confirmedAt = Date()
            subscriber.unsubscribedAt = nil
            try await subscriber.update(on: database)
            environment.metrics.counter("newsletter_confirmations_total").increment()
        }
        return JSONResponse(SubscriptionResponse(email: subscriber.email, status: subscriber.status))
    }

    /// `{token}` in a JSON body, or `?token=` for the one-click `List-Unsubscribe-Post` of mail
    /// clients (whose form body is ignored). Campaign mails still queued for the address are
    /// cancelled in the same transaction.
    @Sendable func unsubscribe(_ request: Request, context: ComptoirRequestContext) async throws -> JSONResponse<SubscriptionResponse> {
        let raw: String
        if let query = request.uri.queryParameters["token"] {
            raw = String(query)
        } else {
            raw = try await request.decodeJSON(as: UnsubscribeRequest.self, context: context).token
        }
        let token = try links.verify(raw, purpose: "unsubscribe")
        try await environment.database.transaction { tx in
            if let subscriber = try await Subscriber.query(on: tx).filter(\.$websiteId == token.websiteId).filter(\.$email == token.email).first(),
                subscriber.status != Subscriber.Status.unsubscribed.rawValue
            {
                subscriber.status = Subscriber.Status.unsubscribed.rawValue
                subscriber.unsubscribedAt = Date()
                try await subscriber.update(on: tx)
            }
            try await OutgoingMail.query(on: tx).filter(\.$recipient == token.email).filter(\.$campaignId != nil)
                .filter(\.$status == OutgoingMail.Status.queued.rawValue).set(\.$status, to: OutgoingMail.Status.cancelled.rawValue).update()
        }
        return JSONResponse(SubscriptionResponse(email: token.email, status: Subscriber.Status.unsubscribed.rawValue))
    }
}
