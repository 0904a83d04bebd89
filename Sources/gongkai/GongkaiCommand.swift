import ArgumentParser
import GongkaiAudit
import GongkaiService

@main
struct GongkaiCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gongkai",
        abstract: "Keeps government disclosure channels in sync from one outbox.",
        discussion: ExitStatus.helpText,
        subcommands: [
            DaemonCommand.self, SubmitCommand.self, WithdrawCommand.self, ApproveCommand.self, StatusCommand.self,
            AttemptsCommand.self, ResendCommand.self, RecoverCommand.self, ChannelsCommand.self, AuditCommand.self, CalendarCommand.self,
            ReconcileCommand.self, ReportCommand.self, InspectCommand.self, MigrateCommand.self, StoreCommand.self, TokenCommand.self, ServeCommand.self,
            DemoCommand.self, SimulateCommand.self, BenchCommand.self,
        ])
}
