import ComptoirContracts
import ComptoirKit
import FluentKit
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// Files on tickets: uploaded raw with `Content-Type` and `X-Filename`, streamed to the blob
/// store (never held in memory) up to 10 MiB, and served back only to those who see the ticket,
/// always as a download so a file can never run as a page of ours.
struct AttachmentRoutes: Sendable {
    let environment: ServiceEnvironment
    static let maximumSize = 10 << 20
    static let filenameHeader = HTTPField.Name("X-Filename")!  // trap-checked: a literal, valid header name
    static let contentTypeOptionsHeader = HTTPField.Name("X-Content-Type-Options")!  // trap-checked: a literal, valid header name

    var database: any Database { environment.database.fluent }

    /// The upload is not JSON: its raw body streams to the blob store (the endpoint declares no body).
    func declare(_ api: ServiceAPI) {
        typealias Doc = SavOpenAPI
        api.endpoint(
            .post,
            "/sav/tickets/{id}/attachments",
            id: "attach",
            summary: "Attach a file: raw body, Content-Type and X-Filename, at most 10 MiB",
            access: Doc.people,
            parameters: [Doc.id, OpenAPI.parameter("X-Filename", in: "header", OpenAPI.string, required: true)],
            responses: [
                201: OpenAPI.json(Doc.attachment, "Stored"), 404: Doc.notFound, 413: OpenAPI.problem("Over 10 MiB"),
                422: OpenAPI.problem("Missing X-Filename or Content-Type"),
            ],
            use: upload
        )
        api.endpoint(
            .get,
            "/sav/tickets/{id}/attachments/{attachment_id}",
            id: "attachment",
            summary: "An attachment's bytes, as a download",
            access: Doc.people,
            parameters: [Doc.id, OpenAPI.parameter("attachment_id", in: "path", OpenAPI.uuid)],
            responses: [200: ["description": "The file", "content": ["application/octet-stream": [:]]], 404: OpenAPI.problem("No such attachment")],
            use: download
        )
    }

    @Sendable func upload(_ request: Request, context: ComptoirRequestContext) async throws -> JSONResponse<AttachmentResponse> {
        let principal = try context.requirePrincipal()
        let uploader = try principal.requireUser()
        let ticket = try await TicketAccess.find(context.parameters.get("id", as: UUID.self), principal, context, on: database)
        guard ticket.status != .closed else { throw ProblemError.conflict("Ticket \(ticket.number) is closed.") }
        if let length = request.headers[.contentLength].flatMap(Int.init), length > Self.maximumSize {
            throw ProblemError(.contentTooLarge, "Attachments are limited to 10 MiB.")
        }
        var validator = Validator()
        let filename = Self.cleanFilename(request.headers[Self.filenameHeader]) ?? ""
        validator.expect(!filename.isEmpty, "X-Filename", "is required: the file's name, at most 200 characters")
        let contentType = request.headers[.contentType]?.trimmingCharacters(in: .whitespaces) ?? ""
        validator.expect(Self.isMediaType(contentType), "Content-Type", "must be the file's media type, such as image/png or application/pdf")
        try validator.check()

        let ticketId = try ticket.requireID()
        let attachment = TicketAttachment(ticketId: ticketId, uploaderId: uploader, filename: filename, contentType: contentType, size: 0)
        let key = TicketAttachment.blobKey(ticket: ticketId, attachment: try attachment.requireID())
        attachment.size = try await environment.blobs.put(
            key,
            contentType: contentType,
            body: LimitedBody(request.body, limit: Self.maximumSize, message: "Attachments are limited to 10 MiB.")
        )
        do {
            try await environment.database.transaction { tx in
                try await attachment.create(on: tx)
                ticket.updatedAt = Date()
                try await ticket.update(on: tx)
            }
        } catch {
            await environment.blobs.deleteOrphan(key, logger: context.logger, metrics: environment.metrics)
            throw error
        }
        context.logger.info("attachment stored", metadata: ["ticket_id": .string(ticketId.uuidString), "size": .stringConvertible(attachment.size)])
        return JSONResponse(try AttachmentResponse(attachment), status: .created)
    }

    @Sendable func download(_ request: Request, context: ComptoirRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let ticket = try await TicketAccess.find(context.parameters.get("id", as: UUID.self), principal, context, on: database)
        guard let id = context.parameters.get("attachment_id", as: UUID.self), let attachment = ticket.attachments.first(where: { $0.id == id })
        else { throw ProblemError.notFound("attachment") }
        let ascii = String(attachment.filename.unicodeScalars.map { $0.isASCII && $0 != "\"" && $0 != "\\" ? Character($0) : "_" })
        let encoded = attachment.filename.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ascii
        let disposition = "attachment; filename=\"\(ascii)\"; filename*=UTF-8''\(encoded)"
        let key = TicketAttachment.blobKey(ticket: try ticket.requireID(), attachment: id)
        // Checked the owner first: the short-lived URL is handed only to who may read the file.
        if let url = try await environment.blobs.downloadURL(key, contentDisposition: disposition) {
            return Response(status: .temporaryRedirect, headers: [.location: url.absoluteString, .cacheControl: "private, no-store"])
        }
        guard let blob = try await environment.blobs.get(key) else { throw ProblemError.notFound("attachment") }
        return Response(
            status: .ok,
            headers: [
                .contentType: attachment.contentType, .contentLength: String(blob.size), .cacheControl: "private, no-store",
                .contentDisposition: disposition,
                Self.contentTypeOptionsHeader: "nosniff",
            ],
            body: ResponseBody(asyncSequence: blob.body)
        )
    }

    /// The name without any folder, control characters or surrounding spaces; `nil` if nothing is left.
    static func cleanFilename(_ raw: String?) -> String? {
        guard let raw else { return nil }
        let base = raw.split(whereSeparator: { $0 == "/" || $0 == "\\" }).last.map(String.init) ?? ""
        let cleaned = String(base.unicodeScalars.filter { $0.properties.generalCategory != .control }.map(Character.init))
            .trimmingCharacters(in: .whitespacesAndNewlines)
        guard !cleaned.isEmpty, cleaned != ".", cleaned != "..", cleaned.count <= 200 else { return nil }
        return cleaned
    }

    /// `type/subtype`, with optional parameters, in the characters RFC 6838 allows.
    static func isMediaType(_ value: String) -> Bool {
        let essence = value.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
        return essence.count <= 127
            && essence.range(of: "^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*$", options: .regularExpression) != nil
    }
}
