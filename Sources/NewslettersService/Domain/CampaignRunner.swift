import ComptoirKit
import FluentKit
import Foundation
import ServiceLifecycle

/// Sends campaigns: a due `scheduled` campaign becomes `sending`; its mails are queued in
/// batches, each batch in one transaction that also records who has been queued (one mail per
/// campaign and address, by a unique index), so a process killed mid-campaign goes on after the
/// restart with the addresses not yet queued and never queues one twice. Once every address is
/// queued and every mail has left, the campaign is `sent`. Unsubscribed addresses are never
/// queued, and an unsubscription cancels what is still queued for the address.
struct CampaignRunner: Service {
    let environment: ServiceEnvironment
    let sender: MailSender
    let links: SubscriptionLinks
    let signal = RelaySignal()
    var pollInterval: Duration = .seconds(1)

    var database: any Database { environment.database.fluent }

    func notify() { signal.notify() }

    func run() async throws {
        await PollingLoop.run(signal: signal, interval: pollInterval, logger: environment.logger, name: "campaign runner") {
            try await runPass()
        }
    }

    /// Starts due campaigns and queues one batch of each sending one; `true` while work remains.
    @discardableResult
    func runPass() async throws -> Bool {
        let due = try await Campaign.query(on: database).filter(\.$status == Campaign.Status.scheduled.rawValue).filter(\.$scheduledAt <= Date())
            .all()
        for campaign in due {
            let id = try campaign.requireID()
            campaign.status = Campaign.Status.sending.rawValue
            campaign.startedAt = Date()
            try await campaign.update(on: database)
            environment.logger.notice("campaign sending", metadata: ["campaign_id": .string(id.uuidString)])
        }
        var more = false
        for campaign in try await Campaign.query(on: database).filter(\.$status == Campaign.Status.sending.rawValue).all() {
            more = try await queueBatch(of: campaign) || more
        }
        if more, environment.configuration.campaignBatchPause > .zero { try await Task.sleep(for: environment.configuration.campaignBatchPause) }
        return more
    }

    /// Queues the next batch; `true` if it queued any. Marks the campaign sent when nothing is
    /// left to queue or to send.
    private func queueBatch(of campaign: Campaign) async throws -> Bool {
        let campaignId = try campaign.requireID()
        guard let template = try await MailTemplate.find(campaign.templateId, on: database) else {
            try await stop(campaign, because: "campaign template missing; campaign stopped")
            return false
        }
        let sources = try await TemplateSources.load(template, from: environment.blobs)
        let compiled: CampaignTemplate
        do {
            compiled = try CampaignTemplate(subject: campaign.subject, text: sources.text, html: sources.html)
        } catch let error as ProblemError {
            // A template stored before the source checks existed: refused on every pass, it
            // would hold up every campaign after this one for ever.
            let reasons = (error.problem.errors ?? []).map { "\($0.field) \($0.message)" }.joined(separator: "; ")
            try await stop(campaign, because: "campaign template refused (\(reasons)); campaign stopped")
            return false
        }
        let batchSize = environment.configuration.campaignBatchSize
        let queued = try await environment.database.transaction { tx -> Int in
            let already = try await OutgoingMail.query(on: tx).filter(\.$campaignId == campaignId).all(\.$recipient)
            let subscribers = try await Subscriber.query(on: tx).filter(\.$websiteId == campaign.websiteId)
                .filter(\.$status == Subscriber.Status.confirmed.rawValue).filter(\.$email !~ already).sort(\.$email).limit(batchSize).all()
            for subscriber in subscribers {
                let unsubscribe = try links.unsubscribeURL(email: subscriber.email, websiteId: campaign.websiteId)
                let mail = compiled.render(["email": subscriber.email], unsubscribeURL: unsubscribe)
                let row = OutgoingMail(
                    websiteId: campaign.websiteId,
                    recipient: subscriber.email,
                    subject: mail.subject,
                    text: mail.text,
                    html: mail.html,
                    reason: campaignId.uuidString.lowercased(),
                    causeId: try campaign.causeId
                )
                row.campaignId = campaign.id
                row.listUnsubscribe = unsubscribe
                try await row.create(on: tx)
            }
            return subscribers.count
        }
        if queued > 0 {
            sender.notify()
            return true
        }
        let unsent = try await OutgoingMail.query(on: database).filter(\.$campaignId == campaignId)
            .filter(\.$status == OutgoingMail.Status.queued.rawValue).count()
        if unsent == 0 {
            campaign.status = Campaign.Status.sent.rawValue
            campaign.finishedAt = Date()
            try await campaign.update(on: database)
            let sent = try await sentCount(campaign)
            environment.logger.notice("campaign sent", metadata: ["campaign_id": .string(campaignId.uuidString), "sent": .stringConvertible(sent)])
        }
        return false
    }

    /// Ends a campaign that cannot go on, with what it sent so far.
    private func stop(_ campaign: Campaign, because reason: String) async throws {
        let id = try campaign.requireID()
        environment.logger.error("\(reason)", metadata: ["campaign_id": .string(id.uuidString)])
        campaign.status = Campaign.Status.sent.rawValue
        campaign.finishedAt = Date()
        try await campaign.update(on: database)
    }

    /// How many of the campaign's mails have left.
    func sentCount(_ campaign: Campaign) async throws -> Int {
        let campaignId = try campaign.requireID()
        return try await OutgoingMail.query(on: database).filter(\.$campaignId == campaignId)
            .filter(\.$status == OutgoingMail.Status.sent.rawValue).count()
    }
}
