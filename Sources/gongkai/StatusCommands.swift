import ArgumentParser
import GongkaiAudit
import GongkaiService
import GongkaiCore
import GongkaiStore
import Foundation
import GongkaiChannels

struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show delivery status: per-channel counts, one item, or the deliveries matching filters.",
        discussion: ExitStatus.helpText)
    @OptionGroup var global: GlobalOptions
    @Argument(help: "Item id (optional).") var id: String?
    @Option(help: "Only this channel.") var channel: String?
    @Option(help: "Only this state (repeatable).") var state: [String] = []
    @Option(help: "Most deliveries listed.") var limit: Int = 200
    @Flag(help: "Print JSON.") var json = false

    func run() async throws {
        try await reporting(json: json) {
            try await OutboxConsole.with(try global.settings()) { console in
                if let channel { _ = try console.channel(channel) }
                let states = try state.map { try Parse.state($0) }
                if let id {
                    let (item, deliveries) = try await console.itemStatus(id)
                    let shown = deliveries.filter { channel == nil || $0.channelID == channel }
                        .filter { states.isEmpty || states.contains($0.state) }
                    let deadlines = try await console.deadlines(of: item, shown)
                    let blockers = console.portalBlockers(of: deliveries)
                    if json {
                        // The API's GET /v1/items/{id} shape: each delivery carries its deadline.
                        printJSON(MachineJSON.ItemStatus(item: item, deliveries: shown, deadlines: deadlines, blockers: blockers))
                    } else {
                        print(StatusView.item(item, shown, deadlines: deadlines, blockers: blockers))
                    }
                } else if channel != nil || !states.isEmpty {
                    let rows = try await console.store.deliveries(
                        DeliveryFilter(channelID: channel, states: states.isEmpty ? nil : states, limit: limit))
                    if json { printJSON(MachineJSON.Delivery.list(rows)) } else { print(StatusView.deliveries(rows)) }
                } else {
                    let counts = try await console.store.stateCounts()
                    if json {
                        printJSON(counts.mapValues { Dictionary(uniqueKeysWithValues: $0.map { ($0.key.rawValue, $0.value) }) })
                    } else {
                        print(StatusView.counts(counts, channels: console.channels.map(\.id)))
                    }
                }
            }
        }
    }
}

struct AttemptsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "attempts", abstract: "Show the attempt log of an item.", discussion: ExitStatus.helpText)
    @OptionGroup var global: GlobalOptions
    @Argument(help: "Item id.") var id: String
    @Option(help: "Only this channel.") var channel: String?
    @Flag(help: "Print JSON.") var json = false

    func run() async throws {
        try await reporting(json: json) {
            try await OutboxConsole.with(try global.settings()) { console in
                _ = try await console.itemStatus(id)
                let attempts = try await console.store.attempts(itemID: id, channelID: channel)
                if json { printJSON(MachineJSON.Attempt.list(attempts)) } else { print(StatusView.attempts(attempts)) }
            }
        }
    }
}

struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit", abstract: "Show the audit log: who did what, newest first.", discussion: ExitStatus.helpText)
    @OptionGroup var global: GlobalOptions
    @Option(help: "Only this item.") var item: String?
    @Option(help: "Most entries shown.") var limit: Int = 50
    @Flag(help: "Print JSON.") var json = false

    func run() async throws {
        try await reporting(json: json) {
            try await OutboxConsole.with(try global.settings()) { console in
                let entries = try await console.store.auditLog(itemID: item, limit: limit)
                if json { printJSON(MachineJSON.AuditEntry.list(entries)); return }
                var table = TextTable(["TIME", "ACTOR", "ACTION", "ITEM", "CHANNEL", "DETAIL"])
                for entry in entries {
                    table.add([
                        Timestamp.iso8601(entry.at), entry.actor, entry.action, entry.itemID ?? "-", entry.channelID ?? "-",
                        entry.detail ?? "",
                    ])
                }
                print(entries.isEmpty ? "(no audit entries)" : table.render())
            }
        }
    }
}

struct ChannelsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "channels", abstract: "List, test, pause and resume channels.",
        subcommands: [List.self, Test.self, Pause.self, Resume.self])

    struct Test: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check a channel's configuration, credentials (token fetch or signed request) and reachability; publishes nothing.",
            discussion: "Exit status: 0 every check passed; 2 a check failed (the output says which and why).")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Channel id.") var channel: String
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            var passed = true
            try await reporting(json: json) {
                try await OutboxConsole.with(try global.settings()) { console in
                    let definition = try console.channel(channel)
                    let checks = await ChannelTester.test(definition)
                    passed = checks.allSatisfy(\.passed)
                    if json {
                        printJSON(checks)
                    } else {
                        var table = TextTable(["CHECK", "RESULT", "DETAIL"])
                        for check in checks { table.add([check.name, check.passed ? "ok" : "FAILED", check.detail]) }
                        print(table.render())
                    }
                }
            }
            if !passed { throw ExitCode(ExitStatus.configuration) }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the channels declared in the channel files.")
        @OptionGroup var global: GlobalOptions
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            try await reporting(json: json) {
                try await OutboxConsole.with(try global.settings()) { console in
                    let views = try await console.channelViews()
                    if json { printJSON(views); return }
                    var table = TextTable(["ID", "KIND", "AUDIENCE", "CAN", "CONCURRENCY", "RATE/S", "PAUSED", "SENDER", "BREAKER", "ENDPOINT"])
                    for view in views {
                        table.add([
                            view.id, view.kind, view.audience, view.capabilities.joined(separator: ","),
                            "\(view.concurrency)", view.ratePerSecond.map { String(format: "%.3g", $0) } ?? "-",
                            view.paused ? "yes" : "no",
                            view.sender.map { "\($0) until \(view.senderUntil ?? "?")" } ?? (view.oneSender ? "none" : "any"),
                            view.breakerOpenedBy.map { "open (\($0)) until \(view.breakerOpenUntil ?? "?")" } ?? "closed",
                            view.endpoint,
                        ])
                    }
                    print(views.isEmpty ? "(no channel files)" : table.render())
                    for view in views {
                        if let wait = view.waitingForDeadPortal {
                            print(
                                "\(view.id): \(wait.count) deliveries wait for a dead portal delivery (items "
                                    + wait.itemIDs.joined(separator: ", ") + (wait.count > wait.itemIDs.count ? ", …" : "")
                                    + "): resend or recover the portal's to unblock them")
                        }
                    }
                }
            }
        }
    }

    struct Pause: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Stop sending to a channel (deliveries queue up).")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Channel id.") var channel: String
        @Option(help: "Why, for the audit log.") var reason: String?

        func run() async throws {
            try await reporting {
                try await OutboxConsole.with(try global.settings()) { console in
                    try await console.setPaused(channel, paused: true, reason: reason)
                    print("paused \(channel)")
                }
            }
        }
    }

    struct Resume: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Resume sending to a paused channel.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Channel id.") var channel: String

        func run() async throws {
            try await reporting {
                try await OutboxConsole.with(try global.settings()) { console in
                    try await console.setPaused(channel, paused: false, reason: nil)
                    print("resumed \(channel)")
                }
            }
        }
    }
}
