import ComptoirContracts
import ComptoirKit
import FluentKit
import Hummingbird
import ServiceLifecycle

/// The newsletters service: every mail the platform sends goes through it and is logged —
/// transactional mails from events, and campaigns to the subscribers who confirmed (double
/// opt-in), written as Mustache templates kept in the blob store.
public struct NewslettersService: ComptoirService {
    public static let id = ServiceID.newsletters

    let environment: ServiceEnvironment
    let sender: MailSender
    let campaigns: CampaignRunner
    let links: SubscriptionLinks

    public init(environment: ServiceEnvironment) async throws {
        let configuration = environment.configuration
        self.environment = environment
        self.sender = MailSender(environment: environment)
        self.links = SubscriptionLinks(
            key: try SigningKey.load(
                text: configuration.linkKey,
                variable: "COMPTOIR_LINK_KEY",
                file: configuration.dataDirectory.appendingPathComponent("keys").appendingPathComponent("link-ed25519.key")
            ),
            publicURL: configuration.publicURL
        )
        self.campaigns = CampaignRunner(environment: environment, sender: sender, links: links)
        let kinds =
            TransactionalMails(environment: environment, sender: sender).handlers.flatMap(\.bindings)
            + [SubscriptionRoutes.confirmationReason, "campaign"]
        for label in ["mails_sent_total", "mails_failed_total"] { environment.metrics.startAtZero(label, kinds.map { [("kind", $0)] }) }
        environment.metrics.startAtZero("newsletter_confirmations_total")
    }

    public var migrations: [any Migration] { [CreateOutgoingMails(), CreateNewsletters(), AddMailTraceContext()] }

    /// The schemas first, then the endpoints of each group of routes.
    public func declare(_ api: ServiceAPI) {
        NewslettersOpenAPI.schemas(api)
        MailLogRoutes(environment: environment).declare(api)
        SubscriptionRoutes(environment: environment, sender: sender, links: links).declare(api)
        TemplateRoutes(environment: environment, links: links).declare(api)
        CampaignRoutes(environment: environment, runner: campaigns).declare(api)
    }

    public var eventHandlers: [EventHandler] { TransactionalMails(environment: environment, sender: sender).handlers }

    /// Mails are queued in the event's (or the campaign batch's) transaction and sent by the
    /// sender after it commits; the campaign runner queues campaigns in batches.
    public var backgroundServices: [any Service] { [sender, campaigns] }
}
