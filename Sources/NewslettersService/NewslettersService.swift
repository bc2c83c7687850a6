import ComptoirKit
import FluentKit
import Hummingbird
import ServiceLifecycle

/// The newsletters service: every mail the platform sends goes through it and is logged.
/// For now it sends the transactional mails of the purchase and registration flows; the
/// subscribers, templates and campaigns of API.md come with the newsletters issue.
public struct NewslettersService: ComptoirService {
    public static let id = ServiceID.newsletters

    let environment: ServiceEnvironment
    let sender: MailSender

    public init(environment: ServiceEnvironment) async throws {
        self.environment = environment
        self.sender = MailSender(environment: environment)
    }

    public var migrations: [any Migration] { [CreateOutgoingMails()] }

    public func addRoutes(to router: Router<ComptoirRequestContext>) {
        MailLogRoutes(environment: environment).add(to: router)
    }

    public var eventHandlers: [EventHandler] { TransactionalMails(environment: environment, sender: sender).handlers }

    /// Mails are queued in the event's transaction and sent by this worker after it commits.
    public var backgroundServices: [any Service] { [sender] }

    public var openAPIDocument: JSONValue? { NewslettersOpenAPI.document }
}
