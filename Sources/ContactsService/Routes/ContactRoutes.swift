import ComptoirContracts
import ComptoirKit
import CoreMetrics
import FluentKit
import Foundation
import Hummingbird

/// The contact form and its listing for staff (admin, and the support desk that answers it).
struct ContactRoutes: Sendable {
    let environment: ServiceEnvironment
    let limiter: any RateLimiter

    var database: any Database { environment.database.fluent }

    func declare(_ api: ServiceAPI) {
        typealias Doc = ContactsOpenAPI
        Doc.schemas(api)
        api.endpoint(
            .post,
            "/contacts",
            id: "send",
            summary: "Send the contact form (rate limited per address)",
            access: .public,
            body: Doc.form,
            responses: [
                202: OpenAPI.json(Doc.receipt, "Received; the team is mailed"),
                422: OpenAPI.problem("Invalid fields"), 429: OpenAPI.problem("Too many messages from this address (Retry-After)"),
            ],
            use: send
        )
        api.endpoint(
            .get,
            "/contacts",
            id: "list",
            summary: "Messages received, newest first",
            access: .roles([.admin, .support]),
            parameters: OpenAPI.pagination + [OpenAPI.parameter("topic", Doc.topic)],
            responses: [200: OpenAPI.json(OpenAPI.page(of: "ContactMessage")), 422: OpenAPI.problem("Bad filter")],
            use: list
        )
    }

    /// Every attempt counts against the sender's address, valid or not, so the form cannot be
    /// used to probe or to flood the teams' mailboxes. A filled honeypot gets the same 202 as a
    /// real message and is dropped.
    @Sendable func send(_ request: Request, context: ComptoirRequestContext) async throws -> JSONResponse<ContactReceipt> {
        let ip = request.clientIP(context: context) ?? "unknown"
        if case .limited(let retryAfter) = await limiter.consume("contact:\(ip)", limit: environment.configuration.contactRateLimit) {
            environment.metrics.counter("contacts_rate_limited_total").increment()
            throw ProblemError.tooManyRequests(
                retryAfter: retryAfter.secondsRoundedUp,
                "Too many messages from this address; please try again later."
            )
        }
        let form = try await request.decodeJSON(as: ContactForm.self, context: context).validated()
        guard !form.isSpam else {
            environment.metrics.counter("contacts_spam_total").increment()
            context.logger.info("contact form honeypot filled; message dropped", metadata: ["client_ip": .string(ip)])
            return JSONResponse(ContactReceipt(id: UUID()), status: .accepted)
        }
        let team = environment.configuration.contactRoutes[form.topic] ?? environment.configuration.supportEmail
        let message = ContactMessage(
            websiteId: context.website,
            form: form,
            routedTo: team,
            clientIP: ip,
            userAgent: request.headers[.userAgent].map { String($0.prefix(300)) }
        )
        let messageId = try message.requireID()
        let traceparent = request.headers[TraceParent.headerName]
        try await environment.database.transaction { tx in
            try await message.create(on: tx)
            try await environment.outbox.append(
                ContactMessageReceived(
                    messageId: messageId,
                    name: form.name,
                    email: form.email,
                    topic: form.topic,
                    message: form.message,
                    teamEmail: team
                ),
                websiteId: context.website,
                traceparent: traceparent,
                on: tx
            )
        }
        environment.metrics.counter("contacts_received_total", [("topic", form.topic)]).increment()
        return JSONResponse(ContactReceipt(id: messageId), status: .accepted)
    }

    @Sendable func list(_ request: Request, context: ComptoirRequestContext) async throws -> JSONResponse<PagedList<ContactMessageResponse>> {
        let page = try PageRequest(from: request)
        var query = ContactMessage.query(on: database).filter(\.$websiteId == context.website)
        if let topic = request.uri.queryParameters["topic"].map(String.init) {
            guard ContactForm.topics.contains(topic) else {
                throw ProblemError.validation([.init(field: "topic", message: "must be one of \(ContactForm.topics.joined(separator: ", "))")])
            }
            query = query.filter(\.$topic == topic)
        }
        let total = try await query.count()
        let messages = try await query.sort(\.$createdAt, .descending).sort(\.$id).range(page.rows).all()
        return JSONResponse(PagedList(items: try messages.map(ContactMessageResponse.init), total: total, request: page))
    }
}
