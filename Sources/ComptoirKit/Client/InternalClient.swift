import AsyncHTTPClient
import ComptoirContracts
import Foundation
import Hummingbird
import Logging
import NIOCore
import NIOHTTP1
import Tracing

/// Calls another service over HTTP with a timeout, passing on the request id and `traceparent`,
/// and authenticating as the calling user (their token) or as this service (a service token).
///
/// Failures come back as problems: 502 when the service cannot be reached, 504 when it is too
/// slow, and the service's own 4xx problem when it refuses.
public struct InternalClient: Sendable {
    public enum Identity: Sendable {
        /// Forward the caller's bearer token.
        case user(Principal)
        /// Present this service's own token.
        case service
    }

    let httpClient: HTTPClient
    let serviceURLs: [ServiceID: URL]
    /// `nil` for a caller that only ever forwards users' tokens (the gateway).
    let tokens: ServiceTokenIssuer?
    let timeout: Duration
    let telemetry: Telemetry

    public init(
        httpClient: HTTPClient,
        serviceURLs: [ServiceID: URL],
        tokens: ServiceTokenIssuer?,
        timeout: Duration = .seconds(5),
        telemetry: Telemetry = .off
    ) {
        self.httpClient = httpClient
        self.serviceURLs = serviceURLs
        self.tokens = tokens
        self.timeout = timeout
        self.telemetry = telemetry
    }

    /// A GET decoded as JSON.
    public func get<T: Decodable>(
        _ service: ServiceID,
        _ path: String,
        as: T.Type = T.self,
        identity: Identity,
        context: ComptoirRequestContext,
        request: Request? = nil
    ) async throws -> T {
        let (status, body) = try await send(.GET, service, path, identity: identity, context: context, request: request)
        guard status.code < 300 else { throw Self.problem(from: service, status: status, body: body) }
        do {
            return try WireJSON.makeDecoder().decode(T.self, from: body)
        } catch {
            throw ProblemError(.badGateway, "\(service) answered with an unreadable body.")
        }
    }

    /// A GET decoded as JSON, or nil when the other service answers 404: for a lookup whose
    /// absence the caller turns into its own answer (an unknown product, another's address).
    public func find<T: Decodable>(
        _ service: ServiceID,
        _ path: String,
        as type: T.Type = T.self,
        identity: Identity,
        context: ComptoirRequestContext,
        request: Request? = nil
    ) async throws -> T? {
        do {
            return try await get(service, path, as: type, identity: identity, context: context, request: request)
        } catch let error as ProblemError where error.problem.status == 404 {
            return nil
        }
    }

    /// Sends a request and returns the status and the whole body (at most 8 MiB), in a
    /// `<METHOD> <service>` client span whose context the callee continues.
    public func send(
        _ method: HTTPMethod,
        _ service: ServiceID,
        _ path: String,
        body: Data? = nil,
        identity: Identity,
        context: ComptoirRequestContext,
        request: Request? = nil
    ) async throws -> (HTTPResponseStatus, Data) {
        // Only the services the caller declares are in `serviceURLs`: an undeclared call is a bug, not an outage.
        guard let base = serviceURLs[service] else {
            throw ProblemError(.internalServerError, "Calls to \(service) are not declared by this component.")
        }
        return try await telemetry.withHTTPClientSpan(method.rawValue, peer: service.rawValue, path: path) { span in
            var outgoing = HTTPClientRequest(url: base.absoluteString.trimmingSuffix("/") + path)
            outgoing.method = method
            outgoing.headers.add(name: "X-Request-Id", value: context.requestID)
            // The client span's context when tracing, else the caller's trace carried on.
            let traceparent =
                telemetry.traceparent()
                ?? request.flatMap { $0.headers[TraceParent.headerName] }.flatMap(TraceParent.init)?.child().header ?? TraceParent.random().header
            outgoing.headers.add(name: "traceparent", value: traceparent)
            if let website = context.websiteId { outgoing.headers.add(name: "X-Comptoir-Website-Id", value: website.uuidString) }
            switch identity {
            case .user(let principal): outgoing.headers.add(name: "Authorization", value: "Bearer \(principal.token)")
            case .service:
                guard let tokens else { throw ProblemError(.internalServerError, "This component has no service identity.") }
                outgoing.headers.add(name: "Authorization", value: "Bearer \(try await tokens.token())")
            }
            if let body {
                outgoing.headers.add(name: "Content-Type", value: "application/json")
                outgoing.body = .bytes(ByteBuffer(bytes: body))
            }
            do {
                let response = try await httpClient.execute(outgoing, timeout: .nanoseconds(timeout.nanoseconds))
                let buffer = try await response.body.collect(upTo: 8 << 20)
                span?.record(status: Int(response.status.code))
                return (response.status, Data(buffer.readableBytesView))
            } catch let error as HTTPClientError where error == .deadlineExceeded || error == .readTimeout {
                throw ProblemError(.gatewayTimeout, "\(service) did not answer in time.")
            } catch {
                context.logger.warning(
                    "internal call failed",
                    metadata: ["service": .string(service.rawValue), "path": .string(path), "error": .string("\(error)")]
                )
                throw ProblemError(.badGateway, "\(service) could not be reached.")
            }
        }
    }

    /// The service's refusal as our own problem, with the status it answered: the body's `status`
    /// is only a number in JSON, and one outside 0…999 would trap `HTTPResponse.Status(code:)`.
    static func problem(from service: ServiceID, status: HTTPResponseStatus, body: Data) -> ProblemError {
        if (400..<500).contains(status.code), let problem = try? JSONDecoder().decode(Problem.self, from: body) {
            return ProblemError(.init(code: Int(status.code)), problem.detail, errors: problem.errors)
        }
        return ProblemError(.badGateway, "\(service) failed (\(status.code)).")
    }
}

extension String {
    func trimmingSuffix(_ suffix: String) -> String {
        hasSuffix(suffix) ? String(dropLast(suffix.count)) : self
    }
}
