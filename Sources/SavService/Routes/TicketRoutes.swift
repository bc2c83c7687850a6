import ComptoirContracts
import ComptoirKit
import FluentKit
import Foundation
import Hummingbird

/// Tickets and their threads.
struct TicketRoutes: Sendable {
    let environment: ServiceEnvironment

    var database: any Database { environment.database.fluent }

    func declare(_ api: ServiceAPI) {
        typealias Doc = SavOpenAPI
        Doc.schemas(api)
        api.endpoint(
            .post,
            "/sav/tickets",
            id: "open",
            summary: "Open a ticket, optionally about one of your orders",
            access: .roles([.customer]),
            body: OpenAPI.object(
                ["subject": ["type": "string", "maxLength": 200], "message": ["type": "string", "maxLength": 10000], "order_id": OpenAPI.uuid],
                required: ["subject", "message"]
            ),
            responses: [
                201: OpenAPI.json(OpenAPI.ref("Ticket"), "Opened; the support team is mailed"),
                422: OpenAPI.problem("Invalid fields or not your order"),
            ],
            use: open
        )
        api.endpoint(
            .get,
            "/sav/tickets",
            id: "list",
            summary: "Your tickets (agents: all, by status and assignee)",
            access: Doc.people,
            parameters: OpenAPI.pagination + [
                OpenAPI.parameter("status", Doc.status),
                OpenAPI.parameter("assignee", ["type": "string", "description": "an agent's id, or none (agents only)"]),
            ],
            responses: [200: OpenAPI.json(OpenAPI.page(of: "Ticket")), 422: OpenAPI.problem("Bad filter")],
            use: list
        )
        api.endpoint(
            .get,
            "/sav/tickets/{id}",
            id: "show",
            summary: "One ticket with its thread and files",
            access: Doc.people,
            parameters: [Doc.id],
            responses: [200: Doc.ticket, 404: Doc.notFound],
            use: show
        )
        api.endpoint(
            .patch,
            "/sav/tickets/{id}",
            id: "update",
            summary: "Change the status or the assignee (null unassigns)",
            access: .roles([.support]),
            parameters: [Doc.id],
            body: OpenAPI.object(["status": Doc.status, "assignee_id": OpenAPI.nullable("string")]),
            responses: [
                200: Doc.ticket, 404: Doc.notFound, 409: OpenAPI.problem("Not a move the state machine allows"),
                422: OpenAPI.problem("Invalid fields"),
            ],
            use: update
        )
        api.endpoint(
            .post,
            "/sav/tickets/{id}/messages",
            id: "reply",
            summary: "Add a message (an agent's reply is mailed to the customer)",
            access: Doc.people,
            parameters: [Doc.id],
            body: OpenAPI.object(["body": ["type": "string", "maxLength": 10000]], required: ["body"]),
            responses: [201: Doc.ticket, 404: Doc.notFound, 409: OpenAPI.problem("The ticket is closed")],
            use: reply
        )
    }

    /// A customer opens a ticket, optionally about one of their orders (checked with orders).
    @Sendable func open(_ request: Request, context: ComptoirRequestContext) async throws -> JSONResponse<TicketResponse> {
        let principal = try context.requirePrincipal()
        let userId = try principal.requireUser()
        let body = try await request.decodeJSON(as: NewTicketRequest.self, context: context).validated()
        async let customerCall = environment.client.currentUser(principal, context: context, request: request)
        if let orderId = body.orderId {
            let order = try await environment.client.find(
                .orders,
                "/orders/\(orderId)",
                as: JSONValue.self,
                identity: .user(principal),
                context: context,
                request: request
            )
            guard order != nil else { throw ProblemError.validation([.init(field: "order_id", message: "is not one of your orders")]) }
        }
        let customer = try await customerCall
        let traceparent = request.headers[TraceParent.headerName]
        let ticket = try await environment.database.transaction { tx in
            let ticket = Ticket(
                number: try await Ticket.numbers.next(on: tx),
                userId: userId,
                websiteId: context.website,
                customer: customer,
                subject: body.subject,
                orderId: body.orderId
            )
            try await ticket.create(on: tx)
            let ticketId = try ticket.requireID()
            try await TicketMessage(ticketId: ticketId, authorId: userId, authorRole: "customer", body: body.message).create(on: tx)
            try await environment.outbox.append(
                TicketCreated(
                    ticketId: ticketId,
                    number: ticket.number,
                    subject: ticket.subject,
                    message: body.message,
                    customerEmail: customer.email,
                    customerName: customer.name,
                    orderId: body.orderId
                ),
                websiteId: context.website,
                traceparent: traceparent,
                on: tx
            )
            return ticket
        }
        let ticketId = try ticket.requireID()
        context.logger.info("ticket opened", metadata: ["ticket_id": .string(ticketId.uuidString), "number": .string(ticket.number)])
        return JSONResponse(try await TicketResponse(TicketAccess.find(ticketId, principal, context, on: database)), status: .created)
    }

    /// Customers see their own tickets; agents see every ticket, filtered by status and assignee
    /// (`assignee=none` for the unassigned ones).
    @Sendable func list(_ request: Request, context: ComptoirRequestContext) async throws -> JSONResponse<PagedList<TicketResponse>> {
        let principal = try context.requirePrincipal()
        let page = try PageRequest(from: request)
        let parameters = request.uri.queryParameters
        var validator = Validator()
        var query = Ticket.query(on: database).filter(\.$websiteId == context.website)
        if let status = parameters["status"].map(String.init) {
            if TicketStatus(rawValue: status) != nil {
                query = query.filter(\.$statusValue == status)
            } else {
                validator.fail("status", "must be one of \(TicketStatus.allCases.map(\.rawValue).joined(separator: ", "))")
            }
        }
        if TicketAccess.isAgent(principal) {
            if let assignee = parameters["assignee"].map(String.init) {
                if assignee == "none" {
                    query = query.filter(\.$assigneeId == nil)
                } else if let id = UUID(uuidString: assignee) {
                    query = query.filter(\.$assigneeId == id)
                } else {
                    validator.fail("assignee", "must be an agent's id or none")
                }
            }
        } else {
            query = query.filter(\.$userId == (try principal.requireUser()))
        }
        try validator.check()
        let total = try await query.count()
        let tickets = try await query.with(\.$messages).with(\.$attachments).sort(\.$updatedAt, .descending).sort(\.$number, .descending)
            .range(page.rows).all()
        return JSONResponse(PagedList(items: try tickets.map(TicketResponse.init), total: total, request: page))
    }

    @Sendable func show(_ request: Request, context: ComptoirRequestContext) async throws -> JSONResponse<TicketResponse> {
        let principal = try context.requirePrincipal()
        let ticket = try await TicketAccess.find(context.parameters.get("id", as: UUID.self), principal, context, on: database)
        return JSONResponse(try TicketResponse(ticket))
    }

    /// A message in the thread. An agent's reply waits for the customer (`pending`) and is mailed
    /// to them; a customer's message (re)opens the ticket. A closed ticket takes no more messages.
    @Sendable func reply(_ request: Request, context: ComptoirRequestContext) async throws -> JSONResponse<TicketResponse> {
        let principal = try context.requirePrincipal()
        let author = try principal.requireUser()
        let ticket = try await TicketAccess.find(context.parameters.get("id", as: UUID.self), principal, context, on: database)
        let body = try await request.decodeJSON(as: NewMessageRequest.self, context: context).validated()
        guard ticket.status != .closed else { throw ProblemError.conflict("Ticket \(ticket.number) is closed; open a new one.") }
        let byAgent = TicketAccess.isAgent(principal) && ticket.userId != author
        let traceparent = request.headers[TraceParent.headerName]
        let ticketId = try ticket.requireID()
        try await environment.database.transaction { tx in
            try await TicketMessage(ticketId: ticketId, authorId: author, authorRole: byAgent ? "support" : "customer", body: body).create(on: tx)
            ticket.status = byAgent ? .pending : .open
            ticket.updatedAt = Date()
            try await ticket.update(on: tx)
            if byAgent {
                try await environment.outbox.append(
                    TicketReplied(
                        ticketId: ticketId,
                        number: ticket.number,
                        subject: ticket.subject,
                        reply: body,
                        customerEmail: ticket.customerEmail,
                        customerName: ticket.customerName
                    ),
                    websiteId: ticket.websiteId,
                    traceparent: traceparent,
                    on: tx
                )
            }
        }
        return JSONResponse(try await TicketResponse(TicketAccess.find(ticket.id, principal, context, on: database)), status: .created)
    }

    /// Agents change the status (along the state machine) and the assignee.
    @Sendable func update(_ request: Request, context: ComptoirRequestContext) async throws -> JSONResponse<TicketResponse> {
        let principal = try context.requirePrincipal()
        let ticket = try await TicketAccess.find(context.parameters.get("id", as: UUID.self), principal, context, on: database)
        let body = try await request.decodeJSON(as: TicketUpdateRequest.self, context: context)
        var validator = Validator()
        let status = body.status.flatMap(TicketStatus.init(rawValue:))
        validator.expect(
            body.status == nil || status != nil,
            "status",
            "must be one of \(TicketStatus.allCases.map(\.rawValue).joined(separator: ", "))"
        )
        validator.expect(body.status != nil || body.assigneeId != nil, "status", "give a status, an assignee_id, or both")
        try validator.check()
        if let status, status != ticket.status {
            guard ticket.status.successors.contains(status) else {
                throw ProblemError.conflict("A \(ticket.statusValue) ticket cannot become \(status.rawValue).")
            }
            ticket.status = status
        }
        if let assignee = body.assigneeId { ticket.assigneeId = assignee }
        ticket.updatedAt = Date()
        try await ticket.update(on: database)
        return JSONResponse(try await TicketResponse(TicketAccess.find(ticket.id, principal, context, on: database)))
    }
}
