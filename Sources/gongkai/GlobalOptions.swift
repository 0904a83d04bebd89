import ArgumentParser
import Foundation
import GongkaiAudit
import GongkaiService
import GongkaiCore
import GongkaiMonitoring
import Logging

/// Options every command shares: where the settings, the outbox and the channel files are.
struct GlobalOptions: ParsableArguments {
    @Option(help: "Settings file (env GONGKAI_CONFIG; default ./gongkai.yaml when present).")
    var config: String?
    @Option(help: "Outbox: a SQLite file or postgres://user@host:5432/database (env GONGKAI_DATABASE; default gongkai.sqlite).")
    var database: String?
    @Option(help: "File holding the PostgreSQL password; GONGKAI_DATABASE_PASSWORD wins (env GONGKAI_DATABASE_PASSWORD_FILE).")
    var databasePasswordFile: String?
    @Option(help: "Most PostgreSQL connections this process opens (env GONGKAI_DATABASE_POOL_SIZE; default 10).")
    var databasePoolSize: String?
    @Option(help: "Time to wait for a PostgreSQL connection, e.g. 10s (env GONGKAI_DATABASE_CONNECT_TIMEOUT).")
    var databaseConnectTimeout: String?
    @Option(help: "Longest one PostgreSQL statement may run, e.g. 30s (env GONGKAI_DATABASE_STATEMENT_TIMEOUT).")
    var databaseStatementTimeout: String?
    @Option(help: "Directory of channel files (env GONGKAI_CHANNELS; default channels).")
    var channels: String?
    @Option(help: "Log level: trace, debug, info, notice, warning, error (env GONGKAI_LOG_LEVEL).")
    var logLevel: String?
    @Option(help: "Log format: text, or json for one JSON object per line (env GONGKAI_LOG_FORMAT).")
    var logFormat: String?
    @Option(help: "Working days from decision to publication of a penalty or licence (env GONGKAI_DEADLINE_PENALTY; default 7).")
    var deadlinePenalty: String?
    @Option(help: "Working days from formation or change to publication of other items (env GONGKAI_DEADLINE_GENERAL; default 20).")
    var deadlineGeneral: String?
    @Option(help: "Working days an interpretation may follow its policy on a channel (env GONGKAI_DEADLINE_INTERPRETATION; default 3).")
    var deadlineInterpretation: String?
    @Option(help: "Working days to withdraw a changed or annulled penalty or licence (env GONGKAI_DEADLINE_WITHDRAWAL; default 3).")
    var deadlineWithdrawal: String?
    @Option(help: "Working days from the close of a consultation's comment period to its adoption report (env GONGKAI_DEADLINE_FEEDBACK; default 20).")
    var deadlineFeedback: String?
    @Option(help: "Working days from a public concern to its response, unless urgent (env GONGKAI_DEADLINE_RESPONSE; default 3).")
    var deadlineResponse: String?
    @Option(help: "Shortest comment period in days of a major decision's consultation (env GONGKAI_CONSULTATION_MAJOR_DAYS; default 30).")
    var consultationMajorDays: String?
    @Option(help: "Timeout of one public-page request of reconcile --public, e.g. 15s (env GONGKAI_RECONCILE_PUBLIC_TIMEOUT).")
    var publicTimeout: String?
    @Option(help: "Time between two public-page requests to one host, e.g. 500ms (env GONGKAI_RECONCILE_PUBLIC_HOST_INTERVAL).")
    var publicHostInterval: String?
    @Option(help: "File keeping the last reconciliation report (env GONGKAI_RECONCILE_LAST_REPORT; default <database>.reconcile.json).")
    var lastReport: String?
    @Option(help: "索引号 formats of publishers off the national shape, as JSON: {\"<credit code or name>\": \"<regex>\"} (env GONGKAI_INDEX_NUMBER_FORMATS).")
    var indexNumberFormats: String?

    func settings(_ extra: [String: String?] = [:]) throws -> GongkaiSettings {
        var options: [String: String] = [:]
        options["database"] = database
        options["databasePasswordFile"] = databasePasswordFile
        options["databasePoolSize"] = databasePoolSize
        options["databaseConnectTimeout"] = databaseConnectTimeout
        options["databaseStatementTimeout"] = databaseStatementTimeout
        options["channels"] = channels
        options["logLevel"] = logLevel
        options["logFormat"] = logFormat
        options["deadlines.penaltyAndLicence"] = deadlinePenalty
        options["deadlines.general"] = deadlineGeneral
        options["deadlines.interpretation"] = deadlineInterpretation
        options["deadlines.withdrawal"] = deadlineWithdrawal
        options["deadlines.feedback"] = deadlineFeedback
        options["deadlines.response"] = deadlineResponse
        options["deadlines.majorConsultationDays"] = consultationMajorDays
        options["reconcile.lastReport"] = lastReport
        options["reconcile.publicTimeout"] = publicTimeout
        options["reconcile.publicHostInterval"] = publicHostInterval
        options["indexNumberFormats"] = indexNumberFormats
        for (key, value) in extra { options[key] = value }
        return try GongkaiSettings.resolve(options: options, configPath: config)
    }

    func logger(_ settings: GongkaiSettings, label: String = "gongkai") -> Logger {
        let format = LogFormat(rawValue: settings.logFormat) ?? .text
        LoggingSystem.bootstrap { format.handler(label: $0) }
        var logger = Logger(label: label)
        logger.logLevel = Logger.Level(rawValue: settings.logLevel) ?? .info
        return logger
    }
}

/// Runs a command body, turning gongkai errors into a message and the documented exit status.
func reporting(json: Bool = false, _ body: () async throws -> Void) async throws {
    do {
        try await body()
    } catch let error as ExitCode {
        throw error
    } catch {
        if json {
            print(ExitStatus.json(error))
        } else {
            FileHandle.standardError.write(Data("gongkai: error: \(error)\n".utf8))
        }
        throw ExitCode(ExitStatus.code(for: error))
    }
}

func printJSON(_ value: some Encodable) {
    print(JSONOutput.string(value))
}
