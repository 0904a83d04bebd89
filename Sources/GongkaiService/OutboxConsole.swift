public import Foundation
public import GongkaiChannels
public import GongkaiAudit
public import GongkaiCore
public import GongkaiStore
public import Logging
import GongkaiMonitoring

/// What operators do to the outbox (the CLI's business logic): submit,
/// withdraw, approve, inspect, resend, recover, pause. Every change is one
/// store transaction and is written to the audit log with the operator's name.
public struct OutboxConsole: Sendable {
    public let store: any OutboxStore
    public let channels: [ChannelDefinition]
    public let clock: any WallClock
    /// Who is acting, for the audit log.
    public let actor: String
    /// Working days for the legal deadlines; nil only where a caller built the
    /// console without one (deadlines are then not computed, and status says so).
    public var calendar: WorkCalendar?
    public var deadlines: DeadlinePolicy
    /// What a submitted item is held to (sizes, the publishers' 索引号 formats).
    public var itemLimits = ItemLimits.standard

    public init(
        store: any OutboxStore, channels: [ChannelDefinition], clock: any WallClock = SystemWallClock(), actor: String,
        calendar: WorkCalendar? = nil, deadlines: DeadlinePolicy = .standard
    ) {
        self.store = store
        self.channels = channels
        self.clock = clock
        self.actor = actor
        self.calendar = calendar
        self.deadlines = deadlines
    }

    /// The same console acting for someone else: the API acts for each request's token.
    public func acting(as actor: String) -> OutboxConsole {
        var console = OutboxConsole(
            store: store, channels: channels, clock: clock, actor: actor, calendar: calendar, deadlines: deadlines)
        console.itemLimits = itemLimits
        return console
    }

    /// Opens the outbox and the channel files named by the settings, with the
    /// embedded working-day calendar and the settings' calendar directory over it;
    /// runs `body` with the console, then closes the store's connections. The
    /// one way every CLI command reaches the outbox, on either backend.
    public static func with<T>(
        _ settings: GongkaiSettings, actor: String = OutboxConsole.defaultActor(),
        environment: [String: String] = ProcessInfo.processInfo.environment,
        _ body: (OutboxConsole) async throws -> T
    ) async throws -> T {
        let channels: [ChannelDefinition]
        if FileManager.default.fileExists(atPath: settings.channels) {
            channels = try ChannelFileLoader.load(directory: settings.channels)
        } else {
            channels = []
        }
        let database = try OutboxDatabase.open(
            settings.database, options: settings.databaseOptions, environment: environment,
            logger: storeLogger(settings))
        let console = try OutboxConsole(settings, store: database.store, channels: channels, actor: actor)
        return try await database.withRunning { _ in try await body(console) }
    }

    /// A console over an open store, with the calendar and deadlines the settings name
    /// (the daemon's and `gongkai serve`'s API acts through one).
    public init(_ settings: GongkaiSettings, store: any OutboxStore, channels: [ChannelDefinition], actor: String) throws {
        let calendar = try settings.workCalendar()
        self.init(store: store, channels: channels, actor: actor, calendar: calendar, deadlines: settings.deadlines)
        itemLimits.indexNumberFormats = settings.indexNumberFormats
    }

    /// The connection pool's own logger: standard error, so that a command's JSON on standard output stays clean.
    public static func storeLogger(_ settings: GongkaiSettings) -> Logger {
        let format = LogFormat(rawValue: settings.logFormat) ?? .text
        var logger = Logger(label: "gongkai.store", factory: { format.handler(label: $0) })
        let level = Logger.Level(rawValue: settings.logLevel) ?? .info
        // Pool chatter at info would drown a one-shot command; asking for debug still gets it.
        logger.logLevel = level < .info ? level : max(level, .warning)
        return logger
    }

    /// The item with its deadlines computed: for a first version and for a
    /// change made today. A year missing from the calendar leaves them unknown
    /// rather than refusing the item: publishing must never wait on the calendar.
    public func prepared(_ item: DisclosureItem) -> PreparedItem {
        var prepared = PreparedItem(item)
        if let calendar {
            let today = today
            prepared.dueIfNew = try? deadlines.due(for: item, version: 1, submittedOn: today, calendar: calendar)
            prepared.dueIfChanged = try? deadlines.due(for: item, version: 2, submittedOn: today, calendar: calendar)
            prepared.feedbackDue = try? deadlines.feedbackDue(for: item, calendar: calendar)
        }
        return prepared
    }

    /// `$GONGKAI_OPERATOR`, else `$USER@host`.
    public static func defaultActor(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let name = environment["GONGKAI_OPERATOR"], !name.isEmpty { return name }
        let user = environment["USER"] ?? environment["LOGNAME"] ?? "unknown"
        return "\(user)@\(ProcessInfo.processInfo.hostName)"
    }

    public var routes: [ChannelRoute] { channels.map(\.route) }

    /// Today in China (UTC+8), the calendar the dates in items are written in.
    public var today: CalendarDate {
        CalendarDate.beijingDay(ofMillis: clock.now())
    }

    public func channel(_ id: String) throws(GongkaiError) -> ChannelDefinition {
        guard let channel = channels.first(where: { $0.id == id }) else {
            let known = channels.map(\.id).joined(separator: ", ")
            throw GongkaiError(
                .unknownChannel, "no channel file declares this channel; known: \(known.isEmpty ? "none" : known)",
                channel: id, field: "channel")
        }
        return channel
    }

    /// Decodes and validates a submission (object, array or JSON Lines). All or
    /// nothing: if any item is rejected, nothing is stored and every problem is reported.
    public func prepare(_ bytes: [UInt8], maxBytes: Int = 16 << 20) throws(GongkaiError) -> [PreparedItem] {
        let items = try ItemDecoding.decodeSubmission(bytes, maxBytes: maxBytes)
        guard !items.isEmpty else {
            throw GongkaiError(.malformedJSON, "the submission holds no item")
        }
        var seen: Set<String> = []
        var problems: [(DisclosureItem, [GongkaiError.FieldIssue])] = []
        let today = today
        let limits = itemLimits
        for item in items {
            var issues = ItemValidator.issues(in: item, limits: limits, deadlines: deadlines, today: today)
            if !seen.insert(item.id).inserted {
                issues.append(.init(field: "id", message: "appears more than once in this submission"))
            }
            if !issues.isEmpty { problems.append((item, issues)) }
        }
        if let (item, issues) = problems.first {
            if items.count == 1 {
                // The validator picks the right code (missing, invalid, oversized) and names the field.
                do {
                    try ItemValidator.validate(item, limits: limits, deadlines: deadlines, today: today)
                } catch {
                    var error = error
                    error.message += "; nothing was stored"
                    throw error
                }
            }
            let all = problems.flatMap { item, issues in
                issues.map { GongkaiError.FieldIssue(field: "\(item.id): \($0.field)", message: $0.message) }
            }
            throw GongkaiError(
                .invalidField, "\(problems.count) of \(items.count) items rejected; nothing was stored",
                item: item.id, field: issues[0].field, issues: all)
        }
        return items.map(prepared)
    }

    public func submit(_ bytes: [UInt8], dryRun: Bool = false) async throws -> [SubmitOutcome] {
        let prepared = try prepare(bytes)
        if dryRun {
            return prepared.map {
                SubmitOutcome(itemID: $0.item.id, version: 0, change: .unchanged, contentHash: $0.contentHash)
            }
        }
        return try await store.submit(prepared, routes: routes, actor: actor, now: clock.now())
    }

    public func submit(_ items: [DisclosureItem]) async throws -> [SubmitOutcome] {
        let today = today
        let limits = itemLimits
        for item in items { try ItemValidator.validate(item, limits: limits, deadlines: deadlines, today: today) }
        return try await store.submit(items.map(prepared), routes: routes, actor: actor, now: clock.now())
    }

    public func withdraw(itemID: String, reason: String) async throws -> [DeliveryRecord] {
        let reason = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !reason.isEmpty else {
            throw GongkaiError(.missingField, "a withdrawal needs a reason for the record", item: itemID, field: "reason")
        }
        return try await store.withdraw(itemID: itemID, reason: reason, routes: routes, actor: actor, now: clock.now())
    }

    public func approve(itemID: String) async throws -> [DeliveryRecord] {
        try await store.approve(itemID: itemID, routes: routes, actor: actor, now: clock.now())
    }

    public func resend(itemID: String, channelID: String?, force: Bool) async throws -> [DeliveryRecord] {
        if let channelID { _ = try channel(channelID) }
        return try await store.resend(
            itemID: itemID, channelID: channelID, force: force, routes: routes, actor: actor, now: clock.now())
    }

    public func recover(channelID: String, states: [DeliveryState], since: Int64?) async throws -> Int {
        _ = try channel(channelID)
        let allowed: Set<DeliveryState> = [.dead, .retrying]
        if let bad = states.first(where: { !allowed.contains($0) }) {
            throw GongkaiError(
                .invalidField, "recover re-queues dead or retrying deliveries, not \(bad.rawValue); use resend --force for one item",
                channel: channelID, field: "state")
        }
        return try await store.recover(
            channelID: channelID, states: states, since: since, routes: routes, actor: actor, now: clock.now())
    }

    public func setPaused(_ channelID: String, paused: Bool, reason: String?) async throws {
        _ = try channel(channelID)
        try await store.setPaused(channelID: channelID, paused: paused, reason: reason, actor: actor, now: clock.now())
    }

    /// Each delivery's deadline and standing, by delivery id.
    public func deadlines(of item: ItemRecord, _ deliveries: [DeliveryRecord]) async throws -> [Int64: DeliveryDeadline] {
        let now = clock.now()
        var result: [Int64: DeliveryDeadline] = [:]
        for delivery in deliveries {
            let relatedShownOn = try await DeliveryDeadline.relatedShownOn(delivery, item: item, store: store)
            result[delivery.id] = DeliveryDeadline.evaluate(
                delivery, item: item, calendar: calendar, policy: deadlines, now: now, relatedShownOn: relatedShownOn)
        }
        return result
    }

    /// One item with its deliveries, for `status ID`.
    public func itemStatus(_ itemID: String) async throws -> (ItemRecord, [DeliveryRecord]) {
        guard let item = try await store.item(id: itemID) else {
            throw GongkaiError(.unknownItem, "no item with this id in the outbox", item: itemID, field: "id")
        }
        return (item, try await store.deliveries(DeliveryFilter(itemID: itemID)))
    }

    /// Every channel as `channels list` and `GET /v1/channels` show it: pause, the
    /// sending daemon's lease, a shared open breaker, and deliveries held by a dead portal.
    public func channelViews() async throws -> [ChannelView] {
        let pauses = Dictionary(uniqueKeysWithValues: try await store.channelPauses().map { ($0.channelID, $0) })
        let leases = Dictionary(
            uniqueKeysWithValues: try await (store as? any ChannelLeasing)?.channelLeases().map { ($0.channelID, $0) } ?? [])
        let breakers = Dictionary(
            uniqueKeysWithValues: try await (store as? any ChannelBreakerSharing)?.openBreakers()
                .map { ($0.channelID, $0) } ?? [])
        let waits = try await deadPortalWaits()
        let now = clock.now()
        return channels.map {
            ChannelView(
                $0, pause: pauses[$0.id], lease: leases[$0.id], breaker: breakers[$0.id], now: now,
                deadPortalWait: waits[$0.id])
        }
    }

    /// Lets each linked channel with `withoutPortal:` stop waiting for the portal URL
    /// where the item's legal deadline is that many working days away or has passed,
    /// so a portal that is down does not make the other channels late too. Items
    /// without a due day (no calendar for the year) are left waiting: there is no
    /// deadline to judge by. Returns the deliveries released.
    @discardableResult
    public func releasePortalWaitsNearDeadline() async throws -> [DeliveryRecord] {
        guard let calendar else { return [] }
        let now = clock.now()
        let today = CalendarDate.beijingDay(ofMillis: now)
        var released: [DeliveryRecord] = []
        for definition in channels {
            guard let fallback = definition.withoutPortal else { continue }
            let waiting = try await store.deliveries(DeliveryFilter(channelID: definition.id, states: [.blocked]))
                .filter { $0.holdReason == ChannelRoute.canonicalHoldReason }
            for delivery in waiting {
                guard let item = try await store.item(id: delivery.itemID), let dueText = item.dueOn,
                    let due = CalendarDate(dueText), let left = try? calendar.workdays(from: today, to: due),
                    left <= fallback.withinWorkdays
                else { continue }
                let link = fallback.fallbackURL.map { "with \($0) as the link" } ?? "without a link"
                released += try await store.releasePortalWait(
                    itemID: item.id, channelID: definition.id,
                    reason: "due \(dueText) (\(left) working day(s) left) and the portal has not published it: "
                        + "publishing \(link)",
                    routes: routes, actor: actor, now: now)
            }
        }
        return released
    }

    /// Of one item's deliveries (all of them), those held by a dead portal delivery.
    public func portalBlockers(of deliveries: [DeliveryRecord]) -> [Int64: PortalBlocker] {
        PortalBlocker.deadPortals(among: deliveries, routes: routes)
    }

    /// Per linked channel, the items whose delivery there waits for a portal delivery
    /// that is dead (sorted, at most `limit` ids each). Reads the dead portal rows and
    /// each linked channel's blocked rows, never the whole outbox.
    public func deadPortalWaits(limit: Int = 20) async throws -> [String: DeadPortalWait] {
        let deadItems = try await store.deadPortalBlockers(routes: routes)
        guard !deadItems.isEmpty else { return [:] }
        var result: [String: DeadPortalWait] = [:]
        for route in routes where route.waitsForCanonical {
            let held = try await store.deliveries(DeliveryFilter(channelID: route.channelID, states: [.blocked]))
                .filter { $0.holdReason == ChannelRoute.canonicalHoldReason && deadItems[$0.itemID] != nil }
                .map(\.itemID).sorted()
            if !held.isEmpty {
                result[route.channelID] = DeadPortalWait(count: held.count, itemIDs: Array(held.prefix(limit)))
            }
        }
        return result
    }
}

/// A linked channel's deliveries that wait for a dead portal delivery.
public struct DeadPortalWait: Sendable, Equatable, Encodable {
    public var count: Int
    /// The first of those items, by id.
    public var itemIDs: [String]

    public init(count: Int, itemIDs: [String]) {
        self.count = count
        self.itemIDs = itemIDs
    }
}
