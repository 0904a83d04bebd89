import Foundation
import GongkaiAudit
import GongkaiChannels
import GongkaiCore
import GongkaiService
import GongkaiStore
import Mustache

/// The console's templates, compiled into the binary (SwiftPM `embedInCode`, as
/// `openapi.yaml`): `Bundle.module` traps when the bundle is not beside the binary.
enum ConsoleTemplates {
    static let library: MustacheLibrary = {
        let sources: [(String, [UInt8])] = [
            ("header", PackageResources.header_mustache),
            ("footer", PackageResources.footer_mustache),
            ("login", PackageResources.login_mustache),
            ("problem", PackageResources.problem_mustache),
            ("overview", PackageResources.overview_mustache),
            ("deadlines", PackageResources.deadlines_mustache),
            ("dead", PackageResources.dead_mustache),
            ("item", PackageResources.item_mustache),
        ]
        var library = MustacheLibrary()
        for (name, bytes) in sources {
            // The templates are ours and a test renders each one, so a parse error is a build defect.
            // swiftlint:disable:next force_try
            try! library.register(String(decoding: bytes, as: UTF8.self), named: name)
        }
        return library
    }()

    /// `name` rendered with `context`; `{{ }}` escapes HTML, and no template uses `{{{ }}}`.
    static func render(_ name: String, _ context: [String: Any]) -> String {
        library.render(context, withTemplate: name) ?? ""
    }
}

/// Who is looking at a page, and in which language.
struct ConsoleViewer {
    var name: String
    var role: APIRole
    var csrf: String
    var language: ReportLanguage
    var canOperate: Bool { role == .operate }
}

/// Builds each page's template context from the use cases' reads.
struct ConsolePages {
    let console: OutboxConsole
    let lastReportPath: String?

    /// What every page needs: the strings, the language switch, the signed-in person.
    static func base(
        title: String, language: ReportLanguage, viewer: ConsoleViewer?, path: String, current: String? = nil
    ) -> [String: Any] {
        let other: ReportLanguage = language == .zh ? .en : .zh
        var context: [String: Any] = [
            "t": ConsoleText.strings(language),
            "htmlLang": language == .zh ? "zh-CN" : "en",
            "pageTitle": ConsoleText.text(title, language),
            "switchHref": "\(path)?lang=\(other.rawValue)",
            "switchLang": other.rawValue,
        ]
        if let viewer {
            context["user"] = ["name": viewer.name, "role": ConsoleText.text("role.\(viewer.role.rawValue)", language)]
            context["csrf"] = viewer.csrf
            if viewer.canOperate { context["canOperate"] = true }
        }
        if let current { context[current] = true }
        return context
    }

    // MARK: - Overview

    func overview(_ viewer: ConsoleViewer) async throws -> String {
        let language = viewer.language
        let store = console.store
        let now = console.clock.now()
        let counts = try await store.stateCounts()
        let pauses = Dictionary(uniqueKeysWithValues: try await store.channelPauses().map { ($0.channelID, $0) })
        let breakers = Dictionary(
            uniqueKeysWithValues: try await (store as? any ChannelBreakerSharing)?.openBreakers()
                .map { ($0.channelID, $0) } ?? [])
        var channels: [[String: Any]] = []
        for definition in console.channels {
            var row: [String: Any] = [
                "id": definition.id, "kind": definition.kind.rawValue,
                "counts": DeliveryState.allCases.map { String(counts[definition.id]?[$0] ?? 0) },
            ]
            if let breaker = breakers[definition.id], breaker.openUntil > now {
                row["breakerOpen"] = "\(breaker.openedBy) → \(Self.time(breaker.openUntil))"
            }
            if let pause = pauses[definition.id], pause.paused {
                row["paused"] = true
                row["pauseReason"] = pause.reason ?? ""
            }
            if let due = try await store.nextDue(channelID: definition.id) {
                // Whole seconds: how long it has waited, not a benchmark.
                row["oldestDue"] = "\(Self.time(due)) (\(DurationText.format(max(0, now - due) / 1000 * 1000)))"
            } else {
                row["oldestDue"] = ConsoleText.text("none", language)
            }
            // The newest failure among the deliveries still failing: what an operator looks at first.
            let failing = try await store.deliveries(
                DeliveryFilter(channelID: definition.id, states: [.retrying, .dead], limit: 1_000))
            if let last = failing.filter({ $0.lastError != nil }).max(by: { $0.updatedAt < $1.updatedAt }) {
                row["lastError"] = last.lastError ?? ""
                row["lastErrorItem"] = last.itemID
                row["lastErrorItemPath"] = Self.pathComponent(last.itemID)
            }
            channels.append(row)
        }
        var context = Self.base(title: "overview", language: language, viewer: viewer, path: "/console", current: "navOverview")
        context["stateNames"] = DeliveryState.allCases.map { ConsoleText.state($0, language) }
        context["channels"] = channels
        if let report = try lastReport() {
            context["report"] = [
                "finishedAt": Self.time(report.finishedAt),
                "classNames": ReconcileClass.allCases.map { "\($0.rawValue) \($0.label(language))" },
                "summaries": report.channels.map { summary -> [String: Any] in
                    [
                        "channelID": summary.channelID,
                        "counts": ReconcileClass.allCases.map { String(summary.count($0)) },
                        "late": String(summary.late), "atRisk": String(summary.atRisk),
                    ]
                },
            ] as [String: Any]
        }
        return ConsoleTemplates.render("overview", context)
    }

    // MARK: - Deadlines

    /// Which legal rule a delivery runs against (as the deadline gauges count them).
    enum Rule: String, CaseIterable {
        case penaltyLicence, general, interpretation, withdrawal, response

        init(_ delivery: DeliveryRecord, item: ItemRecord) {
            if delivery.operation == .withdraw || item.withdrawnAt != nil {
                self = .withdrawal
                return
            }
            switch DisclosureItem.Kind(rawValue: item.kind) {
            case .penalty, .licence: self = .penaltyLicence
            case .interpretation: self = .interpretation
            case .response: self = .response
            default: self = .general
            }
        }

        var textKey: String {
            switch self {
            case .penaltyLicence: return "rulePenaltyLicence"
            case .general: return "ruleGeneral"
            case .interpretation: return "ruleInterpretation"
            case .withdrawal: return "ruleWithdrawal"
            case .response: return "ruleResponse"
            }
        }
    }

    /// One late or at-risk delivery.
    struct DeadlineRow: Sendable {
        var rule: Rule
        var delivery: DeliveryRecord
        var item: ItemRecord
        var deadline: DeliveryDeadline
    }

    /// Every unfinished delivery that is late or at risk, latest due first within a rule.
    func deadlineRows() async throws -> [DeadlineRow] {
        struct Fold: Sendable {
            var rows: [DeadlineRow] = []
            var interpretations: [(DeliveryRecord, ItemRecord)] = []
        }
        let calendar = console.calendar
        let policy = console.deadlines
        let now = console.clock.now()
        var fold = try await console.store.reduceUnfinishedDeliveries(into: Fold()) { fold, delivery, item in
            let rule = Rule(delivery, item: item)
            if rule == .interpretation {
                // Its deadline may follow its policy's delivery: a store read, done after the scan.
                fold.interpretations.append((delivery, item))
                return
            }
            let deadline = DeliveryDeadline.evaluate(delivery, item: item, calendar: calendar, policy: policy, now: now)
            if Self.needsAttention(deadline.status) {
                fold.rows.append(DeadlineRow(rule: rule, delivery: delivery, item: item, deadline: deadline))
            }
        }
        for (delivery, item) in fold.interpretations {
            let shownOn = try await DeliveryDeadline.relatedShownOn(delivery, item: item, store: console.store)
            let deadline = DeliveryDeadline.evaluate(
                delivery, item: item, calendar: calendar, policy: policy, now: now, relatedShownOn: shownOn)
            if Self.needsAttention(deadline.status) {
                fold.rows.append(DeadlineRow(rule: .interpretation, delivery: delivery, item: item, deadline: deadline))
            }
        }
        return fold.rows.sorted {
            ($0.deadline.due?.dayNumber ?? 0, $0.item.id, $0.delivery.channelID)
                < ($1.deadline.due?.dayNumber ?? 0, $1.item.id, $1.delivery.channelID)
        }
    }

    static func needsAttention(_ status: DeadlineStatus) -> Bool {
        switch status {
        case .late, .atRisk: return true
        case .onTime, .open, .unknown: return false
        }
    }

    func deadlines(_ viewer: ConsoleViewer) async throws -> String {
        let language = viewer.language
        let rows = try await deadlineRows()
        var rules: [[String: Any]] = []
        for rule in Rule.allCases {
            let matching = rows.filter { $0.rule == rule }
            guard !matching.isEmpty else { continue }
            rules.append([
                "name": ConsoleText.text(rule.textKey, language),
                "rows": matching.prefix(1_000).map { row -> [String: Any] in
                    var cells: [String: Any] = [
                        "itemID": row.item.id, "itemPath": Self.pathComponent(row.item.id), "title": row.item.title,
                        "channelID": row.delivery.channelID, "state": ConsoleText.state(row.delivery.state, language),
                        "due": row.deadline.due?.description ?? "—",
                    ]
                    if case .late(let workdays) = row.deadline.status {
                        cells["late"] = true
                        cells["status"] = "\(ConsoleText.text("late", language)) \(workdays) \(language == .zh ? "个工作日" : "wd")"
                    } else {
                        cells["status"] = ConsoleText.text("atRisk", language)
                    }
                    return cells
                },
            ])
        }
        var context = Self.base(
            title: "deadlines", language: language, viewer: viewer, path: "/console/deadlines", current: "navDeadlines")
        if !rules.isEmpty { context["rules"] = rules }
        return ConsoleTemplates.render("deadlines", context)
    }

    // MARK: - Dead letters

    func deadLetters(_ viewer: ConsoleViewer, requeued: Int?) async throws -> String {
        let language = viewer.language
        let dead = try await console.store.deliveries(DeliveryFilter(states: [.dead], limit: 1_000))
        var titles: [String: String] = [:]
        for delivery in dead where titles[delivery.itemID] == nil {
            titles[delivery.itemID] = try await console.store.item(id: delivery.itemID)?.title ?? ""
        }
        let channelIDs = console.channels.map(\.id).filter { id in dead.contains { $0.channelID == id } }
        let channels = channelIDs.map { id -> [String: Any] in
            [
                "id": id,
                "rows": dead.filter { $0.channelID == id }.map { delivery -> [String: Any] in
                    [
                        "itemID": delivery.itemID, "itemPath": Self.pathComponent(delivery.itemID),
                        "title": titles[delivery.itemID] ?? "", "channelID": delivery.channelID,
                        "attempts": String(delivery.attemptCount), "updatedAt": Self.time(delivery.updatedAt),
                        "lastError": delivery.lastError ?? "",
                    ]
                },
            ]
        }
        var context = Self.base(title: "deadLetters", language: language, viewer: viewer, path: "/console/dead", current: "navDead")
        if !channels.isEmpty { context["channels"] = channels }
        if let requeued { context["requeued"] = String(requeued) }
        return ConsoleTemplates.render("dead", context)
    }

    // MARK: - One item

    func item(_ id: String, _ viewer: ConsoleViewer, requeued: Int?) async throws -> String {
        let language = viewer.language
        let (item, deliveries) = try await console.itemStatus(id)
        let deadlines = try await console.deadlines(of: item, deliveries)
        let blockers = console.portalBlockers(of: deliveries)
        let attempts = try await console.store.attempts(itemID: id, channelID: nil)
        let history = try await console.store.auditLog(itemID: id, limit: 500)
        let path = "/console/items/\(Self.pathComponent(id))"
        var context = Self.base(title: "item", language: language, viewer: viewer, path: path)
        var itemContext: [String: Any] = [
            "id": item.id, "title": item.title, "kind": item.kind, "currentVersion": String(item.currentVersion),
            "review": item.review, "attribute": item.attribute,
        ]
        if item.withdrawnAt != nil { itemContext["withdrawnReason"] = item.withdrawnReason ?? "—" }
        context["item"] = itemContext
        context["history"] = history.map { entry -> [String: Any] in
            ["at": Self.time(entry.at), "actor": entry.actor, "action": entry.action, "detail": entry.detail ?? ""]
        }
        context["deliveries"] = deliveries.map { delivery -> [String: Any] in
            var row: [String: Any] = [
                "channelID": delivery.channelID, "state": ConsoleText.state(delivery.state, language),
                "wantedVersion": String(delivery.wantedVersion), "itemPath": Self.pathComponent(id),
                "deadline": deadlines[delivery.id].map { Self.deadlineText($0, language) } ?? "—",
                // A held row has no error of its own: what holds it is what the operator must fix.
                "lastError": blockers[delivery.id]?.text ?? delivery.lastError ?? "",
            ]
            if let version = delivery.deliveredVersion { row["deliveredVersion"] = String(version) }
            // Only web links become links: a remote URL is what a platform answered, not ours to trust.
            if let url = delivery.remoteURL, url.hasPrefix("https://") || url.hasPrefix("http://") { row["remoteURL"] = url }
            if delivery.state == .dead || delivery.state == .retrying { row["resendable"] = true }
            return row
        }
        if !attempts.isEmpty {
            context["attempts"] = attempts.sorted { $0.startedAt < $1.startedAt }.map { attempt -> [String: Any] in
                [
                    "startedAt": Self.time(attempt.startedAt), "channelID": attempt.channelID,
                    "version": String(attempt.version), "operation": attempt.operation, "trigger": attempt.trigger,
                    "outcome": attempt.outcome, "httpStatus": attempt.httpStatus.map(String.init) ?? "",
                    "durationMillis": String(attempt.durationMillis), "error": attempt.error ?? "",
                ]
            }
        }
        if let requeued { context["requeued"] = String(requeued) }
        return ConsoleTemplates.render("item", context)
    }

    // MARK: - Reconciliation

    /// The report the last full reconciliation kept, or nil when there is none yet.
    func lastReport() throws -> ReconcileReport? {
        guard let path = lastReportPath, let data = FileManager.default.contents(atPath: path) else { return nil }
        do {
            return try JSONDecoder().decode(ReconcileReport.self, from: data)
        } catch {
            throw GongkaiError(.configuration, "the kept reconciliation report is not readable", field: "reconcile.lastReport")
        }
    }

    // MARK: - Formatting

    /// Beijing time, to the minute: what the information centre reads a clock in.
    static func time(_ millis: Int64) -> String {
        let day = CalendarDate.beijingDay(ofMillis: millis)
        let minutes = (millis - day.beijingStartMillis) / 60_000
        return "\(day) \(String(format: "%02d:%02d", minutes / 60, minutes % 60))"
    }

    static func deadlineText(_ deadline: DeliveryDeadline, _ language: ReportLanguage) -> String {
        let due = deadline.due?.description ?? "—"
        switch deadline.status {
        case .late(let workdays):
            return "\(due) \(ConsoleText.text("late", language)) \(workdays) \(language == .zh ? "个工作日" : "wd")"
        case .atRisk: return "\(due) \(ConsoleText.text("atRisk", language))"
        case .onTime: return "\(due) \(language == .zh ? "按时" : "on time")"
        case .open: return "\(due)"
        case .unknown: return "—"
        }
    }

    /// An item id as one path segment of a link.
    static func pathComponent(_ id: String) -> String {
        id.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/?#")))
            ?? id
    }
}
