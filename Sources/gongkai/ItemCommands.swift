import ArgumentParser
import GongkaiAudit
import GongkaiService
import GongkaiCore

struct WithdrawCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "withdraw", abstract: "Withdraw an item from every channel that may show it.",
        discussion: ExitStatus.helpText)
    @OptionGroup var global: GlobalOptions
    @Argument(help: "Item id.") var id: String
    @Option(help: "Why it is withdrawn (kept in the audit log and sent where the channel takes it).") var reason: String
    @Flag(help: "Print the result as JSON.") var json = false

    func run() async throws {
        try await reporting(json: json) {
            try await OutboxConsole.with(try global.settings()) { console in
                let changed = try await console.withdraw(itemID: id, reason: reason)
                if json { printJSON(MachineJSON.Delivery.list(changed)) } else { print(StatusView.deliveries(changed, title: "withdrawal queued for \(id)")) }
            }
        }
    }
}

struct ApproveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "approve", abstract: "Record review approval (先审后发): held deliveries become due.",
        discussion: ExitStatus.helpText)
    @OptionGroup var global: GlobalOptions
    @Argument(help: "Item id.") var id: String
    @Flag(help: "Print the result as JSON.") var json = false

    func run() async throws {
        try await reporting(json: json) {
            try await OutboxConsole.with(try global.settings()) { console in
                let changed = try await console.approve(itemID: id)
                if json { printJSON(MachineJSON.Delivery.list(changed)) } else { print(StatusView.deliveries(changed, title: "approved \(id)")) }
            }
        }
    }
}

struct ResendCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resend",
        abstract: "Send an item again: dead or retrying deliveries now; with --force also delivered ones.",
        discussion: ExitStatus.helpText)
    @OptionGroup var global: GlobalOptions
    @Argument(help: "Item id.") var id: String
    @Option(help: "Only this channel.") var channel: String?
    @Flag(help: "Also re-send deliveries that already succeeded.") var force = false
    @Flag(help: "Print the result as JSON.") var json = false

    func run() async throws {
        try await reporting(json: json) {
            try await OutboxConsole.with(try global.settings()) { console in
                let changed = try await console.resend(itemID: id, channelID: channel, force: force)
                if json {
                    printJSON(MachineJSON.Delivery.list(changed))
                } else if changed.isEmpty {
                    print("nothing to resend for \(id)\(force ? "" : " (delivered rows need --force)")")
                } else {
                    print(StatusView.deliveries(changed, title: "queued again"))
                }
            }
        }
    }
}

struct RecoverCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "recover", abstract: "Re-queue a channel's dead (or retrying) deliveries in bulk, e.g. after an outage.",
        discussion: ExitStatus.helpText)
    @OptionGroup var global: GlobalOptions
    @Option(help: "Channel id.") var channel: String
    @Option(help: "State to recover: dead (default) or retrying. Repeatable.") var state: [String] = ["dead"]
    @Option(help: "Only deliveries that changed since then: YYYY-MM-DD, ISO-8601 time, or -2h.") var since: String?
    @Flag(help: "Print the result as JSON.") var json = false

    func run() async throws {
        try await reporting(json: json) {
            try await OutboxConsole.with(try global.settings()) { console in
                let states = try state.map { try Parse.state($0) }
                let sinceMillis = try since.map { try Parse.time($0, now: console.clock.now()) }
                let count = try await console.recover(channelID: channel, states: states, since: sinceMillis)
                if json { printJSON(MachineJSON.Recovered(channel: channel, requeued: count)) } else { print("re-queued \(count) deliveries on \(channel)") }
            }
        }
    }
}
