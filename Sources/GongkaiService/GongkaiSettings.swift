public import Foundation
public import GongkaiAudit
public import GongkaiCore
public import GongkaiStore
import GongkaiSync
import Yams

/// gongkai's configuration: one file (`gongkai.yaml`), every setting of which
/// is also an environment variable and a command-line option.
///
/// Precedence: option > environment > file > default. The defaults work in
/// the current directory: `gongkai.sqlite` and `channels/`.
public struct GongkaiSettings: Sendable, Equatable {
    /// A SQLite file path, or a `postgres://user@host:port/database` URL (no password in it).
    public var database = "gongkai.sqlite"
    /// PostgreSQL connection settings: password file, pool size, timeouts.
    public var databaseOptions = DatabaseOptions()
    public var channels = "channels"
    /// Directory of working-day calendar files, one `<YYYY>.yaml` per year,
    /// added over the years compiled in (``WorkCalendar/standard(adding:)``);
    /// nil: the compiled-in years only.
    public var calendar: String?
    public var logLevel = "info"
    /// `text` (the default) or `json`: one JSON object per log line (``LogFormat``).
    public var logFormat = "text"
    public var workerID: String?
    public var pollInterval: Int64 = 500
    public var lease: Int64 = EngineConfiguration.defaultLease
    public var claimBatch = 256
    public var shutdownGrace: Int64 = 30_000
    /// Working-day counts of the legal deadlines.
    public var deadlines = DeadlinePolicy.standard
    /// How often the daemon reconciles every channel; 0 means never.
    public var reconcileInterval: Int64 = 0
    /// Where the last reconciliation report is kept (`gongkai reconcile --last`);
    /// by default next to the outbox.
    public var reconcileLastReport: String?
    /// How often the daemon checks the public pages (what citizens see); 0 means never.
    public var publicPageInterval: Int64 = 0
    /// Per public-page request.
    public var publicPageTimeout: Int64 = 15_000
    /// Between two requests to one host: an inspection must not load an agency's own site.
    public var publicPageHostInterval: Int64 = 500
    /// Days without a publication before the quarterly check marks a column or account (`inspect.*Days`).
    public var inspectionThresholds = InspectionThresholds.standard
    /// Where the quarterly checks are kept (`inspect.reports`); by default next to the outbox.
    public var inspectionReports: String?
    /// Whether the daemon writes each quarter's check once the quarter has ended (`inspect.quarterly`).
    public var quarterlyInspection = true
    /// The interface the HTTP API listens on; loopback unless told otherwise.
    public var serverAddress = "127.0.0.1"
    /// The API's port (8470 by default; 0 picks a free one); nil (`off`) runs the daemon without it.
    public var serverPort: Int? = 8470
    /// The PEM certificate chain and private key the API serves HTTPS with; both or neither.
    public var serverTLSCertificate: String?
    public var serverTLSKey: String?
    /// 索引号 formats of publishers that do not use the national shape, by
    /// 统一社会信用代码 or full name (`indexNumberFormats` in the file: a mapping;
    /// in the environment or an option: a JSON object).
    public var indexNumberFormats = IndexNumberFormats.national
    /// Where the settings file was read from, if one was.
    public var configFile: String?

    public init() {}

    /// One setting: its key in the file, its environment variable and its option.
    public struct Key: Sendable {
        public var file: String
        public var environment: String
        public var option: String
        public var help: String
    }

    public static let keys: [Key] = [
        Key(file: "database", environment: "GONGKAI_DATABASE", option: "--database", help: "SQLite outbox file or postgres://user@host:5432/database URL"),
        Key(file: "databasePasswordFile", environment: "GONGKAI_DATABASE_PASSWORD_FILE", option: "--database-password-file", help: "file holding the PostgreSQL password (GONGKAI_DATABASE_PASSWORD wins)"),
        Key(file: "databasePoolSize", environment: "GONGKAI_DATABASE_POOL_SIZE", option: "--database-pool-size", help: "most PostgreSQL connections per process (default 10)"),
        Key(file: "databaseConnectTimeout", environment: "GONGKAI_DATABASE_CONNECT_TIMEOUT", option: "--database-connect-timeout", help: "time to wait for a PostgreSQL connection (default 10s)"),
        Key(file: "databaseStatementTimeout", environment: "GONGKAI_DATABASE_STATEMENT_TIMEOUT", option: "--database-statement-timeout", help: "longest one PostgreSQL statement may run (default 30s)"),
        Key(file: "channels", environment: "GONGKAI_CHANNELS", option: "--channels", help: "directory of channel files"),
        Key(file: "calendar", environment: "GONGKAI_CALENDAR", option: "--calendar", help: "directory of working-day calendar files added over the embedded 2019–2026"),
        Key(file: "logLevel", environment: "GONGKAI_LOG_LEVEL", option: "--log-level", help: "trace, debug, info, notice, warning, error"),
        Key(file: "logFormat", environment: "GONGKAI_LOG_FORMAT", option: "--log-format", help: "text or json (one JSON object per line)"),
        Key(file: "daemon.workerID", environment: "GONGKAI_WORKER_ID", option: "--worker-id", help: "lease owner name (default host-pid-random)"),
        Key(file: "daemon.pollInterval", environment: "GONGKAI_POLL_INTERVAL", option: "--poll-interval", help: "how often idle workers look for work"),
        Key(file: "daemon.lease", environment: "GONGKAI_LEASE", option: "--lease", help: "lease on a claimed delivery, renewed while held (default 20s)"),
        Key(file: "daemon.claimBatch", environment: "GONGKAI_CLAIM_BATCH", option: "--claim-batch", help: "most deliveries claimed per transaction"),
        Key(file: "daemon.shutdownGrace", environment: "GONGKAI_SHUTDOWN_GRACE", option: "--shutdown-grace", help: "time allowed to drain in-flight sends on SIGTERM"),
        Key(file: "deadlines.penaltyAndLicence", environment: "GONGKAI_DEADLINE_PENALTY", option: "--deadline-penalty", help: "working days from decision to publication of a penalty or licence (default 7)"),
        Key(file: "deadlines.general", environment: "GONGKAI_DEADLINE_GENERAL", option: "--deadline-general", help: "working days from formation (or change) to publication of other items (default 20)"),
        Key(file: "deadlines.interpretation", environment: "GONGKAI_DEADLINE_INTERPRETATION", option: "--deadline-interpretation", help: "working days an interpretation may follow its policy (default 3)"),
        Key(file: "deadlines.withdrawal", environment: "GONGKAI_DEADLINE_WITHDRAWAL", option: "--deadline-withdrawal", help: "working days to withdraw a changed or annulled penalty or licence (default 3)"),
        Key(file: "deadlines.feedback", environment: "GONGKAI_DEADLINE_FEEDBACK", option: "--deadline-feedback", help: "working days from the close of a consultation's comment period to its adoption report (default 20)"),
        Key(file: "deadlines.response", environment: "GONGKAI_DEADLINE_RESPONSE", option: "--deadline-response", help: "working days from a public concern to its response, unless urgent: the same day (default 3)"),
        Key(file: "deadlines.majorConsultationDays", environment: "GONGKAI_CONSULTATION_MAJOR_DAYS", option: "--consultation-major-days", help: "shortest comment period, in days, of a major administrative decision's consultation (default 30)"),
        Key(file: "reconcile.interval", environment: "GONGKAI_RECONCILE_INTERVAL", option: "--reconcile-interval", help: "how often the daemon reconciles (0 = never)"),
        Key(file: "reconcile.lastReport", environment: "GONGKAI_RECONCILE_LAST_REPORT", option: "--last-report", help: "file keeping the last reconciliation report (default <database>.reconcile.json)"),
        Key(file: "reconcile.publicInterval", environment: "GONGKAI_RECONCILE_PUBLIC_INTERVAL", option: "--public-interval", help: "how often the daemon checks the public pages (0 = never)"),
        Key(file: "reconcile.publicTimeout", environment: "GONGKAI_RECONCILE_PUBLIC_TIMEOUT", option: "--public-timeout", help: "timeout of one public-page request (default 15s)"),
        Key(file: "reconcile.publicHostInterval", environment: "GONGKAI_RECONCILE_PUBLIC_HOST_INTERVAL", option: "--public-host-interval", help: "time between two public-page requests to one host (default 500ms)"),
        Key(file: "inspect.homePageDays", environment: "GONGKAI_INSPECT_HOME_PAGE_DAYS", option: "--inspect-home-page-days", help: "days the home page and news columns may go without a publication before the quarterly check flags a single-item veto (default 14)"),
        Key(file: "inspect.noticeDays", environment: "GONGKAI_INSPECT_NOTICE_DAYS", option: "--inspect-notice-days", help: "days the notices and policy documents columns may go without a publication (default 183, six months)"),
        Key(file: "inspect.newMediaDays", environment: "GONGKAI_INSPECT_NEW_MEDIA_DAYS", option: "--inspect-new-media-days", help: "days a WeChat or Weibo account may go without an update before the quarterly check flags a single-item veto (default 14)"),
        Key(file: "inspect.reports", environment: "GONGKAI_INSPECT_REPORTS", option: "--inspect-reports", help: "directory keeping every quarterly check (default <database>.inspections)"),
        Key(file: "inspect.quarterly", environment: "GONGKAI_INSPECT_QUARTERLY", option: "--inspect-quarterly", help: "on: the daemon writes each quarter's check after it ends (default on); off: never"),
        Key(file: "indexNumberFormats", environment: "GONGKAI_INDEX_NUMBER_FORMATS", option: "--index-number-formats", help: "索引号 formats by publisher code or name, e.g. {\"01527918X\": \"01527918X-[0-9]{4}-[0-9]{6}\"} (default: the national shape)"),
        Key(file: "server.address", environment: "GONGKAI_SERVER_ADDRESS", option: "--server-address", help: "interface the HTTP API listens on (default 127.0.0.1)"),
        Key(file: "server.port", environment: "GONGKAI_SERVER_PORT", option: "--server-port", help: "port of the HTTP API (default 8470; off: the daemon serves no API)"),
        Key(file: "server.tlsCertificate", environment: "GONGKAI_SERVER_TLS_CERTIFICATE", option: "--server-tls-certificate", help: "PEM certificate chain: with server.tlsKey the API serves HTTPS"),
        Key(file: "server.tlsKey", environment: "GONGKAI_SERVER_TLS_KEY", option: "--server-tls-key", help: "PEM private key of server.tlsCertificate"),
    ]

    /// The file `gongkai reconcile --last` reads.
    /// On PostgreSQL there is no outbox file to sit beside, so it is in the working directory.
    public var lastReportPath: String {
        if let reconcileLastReport { return reconcileLastReport }
        if (try? DatabaseLocation(database))?.isPostgres == true { return "gongkai-reconcile-last.json" }
        return database + ".reconcile.json"
    }

    /// The directory keeping every quarterly check (``inspectionReports``, or beside the outbox).
    /// On PostgreSQL there is no outbox file to sit beside, so it is in the working directory.
    public var inspectionReportsPath: String {
        if let inspectionReports { return inspectionReports }
        if (try? DatabaseLocation(database))?.isPostgres == true { return "gongkai-inspections" }
        return database + ".inspections"
    }

    /// The file keeping the last public-page check, beside the last report.
    public var lastPublicReportPath: String {
        let path = lastReportPath
        return (path.hasSuffix(".json") ? String(path.dropLast(5)) : path) + ".public.json"
    }

    /// Resolves the settings from options (by file key), the environment and the settings file.
    ///
    /// The file is `configPath` if given (it must exist), else `$GONGKAI_CONFIG`, else
    /// `./gongkai.yaml` when present.
    public static func resolve(
        options: [String: String], configPath: String?,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(GongkaiError) -> GongkaiSettings {
        var settings = GongkaiSettings()
        var fileValues: [String: String] = [:]
        let explicit = configPath ?? environment["GONGKAI_CONFIG"]
        let path = explicit ?? (FileManager.default.fileExists(atPath: "gongkai.yaml") ? "gongkai.yaml" : nil)
        if let path {
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
                throw GongkaiError(.configuration, "cannot read the settings file \(path)", field: "config")
            }
            fileValues = try flatten(text, source: path)
            settings.configFile = path
        }
        for key in keys {
            let value = options[key.file] ?? environment[key.environment] ?? fileValues[key.file]
            guard let value else { continue }
            try settings.apply(key, value)
        }
        return settings
    }

    private mutating func apply(_ key: Key, _ value: String) throws(GongkaiError) {
        func invalid(_ message: String) -> GongkaiError {
            GongkaiError(
                .configuration, "\(key.file) (\(key.option), \(key.environment)) \(message); got \"\(value)\"",
                field: key.file)
        }
        func duration() throws(GongkaiError) -> Int64 {
            do { return try DurationText.milliseconds(value) } catch { throw invalid("must be a duration like 500ms, 10s, 5m") }
        }
        switch key.file {
        case "database":
            _ = try DatabaseLocation(value)
            database = value
        case "databasePasswordFile":
            guard !value.isEmpty else { throw invalid("must be a file path") }
            databaseOptions.passwordFile = value
        case "databasePoolSize":
            guard let number = Int(value), (1...1_000).contains(number) else { throw invalid("must be 1 to 1000") }
            databaseOptions.poolSize = number
        case "databaseConnectTimeout":
            databaseOptions.connectTimeout = try duration()
            guard databaseOptions.connectTimeout >= 100 else { throw invalid("must be at least 100ms") }
        case "databaseStatementTimeout":
            databaseOptions.statementTimeout = try duration()
            guard databaseOptions.statementTimeout >= 100 else { throw invalid("must be at least 100ms") }
        case "channels": channels = value
        case "calendar": calendar = value.isEmpty ? nil : value
        case "logLevel":
            guard ["trace", "debug", "info", "notice", "warning", "error", "critical"].contains(value) else {
                throw invalid("must be trace, debug, info, notice, warning, error or critical")
            }
            logLevel = value
        case "logFormat":
            guard ["text", "json"].contains(value) else { throw invalid("must be text or json") }
            logFormat = value
        case "daemon.workerID":
            guard !value.isEmpty, value.count <= 128 else { throw invalid("must be 1 to 128 characters") }
            workerID = value
        case "daemon.pollInterval":
            pollInterval = try duration()
            guard pollInterval >= 10 else { throw invalid("must be at least 10ms") }
        case "daemon.lease":
            lease = try duration()
            guard lease >= 1_000 else { throw invalid("must be at least 1s") }
        case "daemon.claimBatch":
            guard let number = Int(value), (1...10_000).contains(number) else { throw invalid("must be 1 to 10000") }
            claimBatch = number
        case "daemon.shutdownGrace":
            shutdownGrace = try duration()
        case "deadlines.penaltyAndLicence", "deadlines.general", "deadlines.interpretation", "deadlines.withdrawal",
            "deadlines.feedback", "deadlines.response":
            guard let days = Int(value), (1...250).contains(days) else { throw invalid("must be 1 to 250 working days") }
            switch key.file {
            case "deadlines.penaltyAndLicence": deadlines.penaltyAndLicenceWorkdays = days
            case "deadlines.general": deadlines.generalWorkdays = days
            case "deadlines.interpretation": deadlines.interpretationWorkdays = days
            case "deadlines.feedback": deadlines.feedbackWorkdays = days
            case "deadlines.response": deadlines.responseWorkdays = days
            default: deadlines.withdrawalWorkdays = days
            }
        case "deadlines.majorConsultationDays":
            guard let days = Int(value), (1...365).contains(days) else { throw invalid("must be 1 to 365 days") }
            deadlines.majorConsultationDays = days
        case "reconcile.interval":
            reconcileInterval = value == "0" ? 0 : try duration()
            guard reconcileInterval == 0 || reconcileInterval >= 60_000 else { throw invalid("must be 0 (off) or at least 1m") }
        case "reconcile.lastReport":
            guard !value.isEmpty else { throw invalid("must be a file path") }
            reconcileLastReport = value
        case "reconcile.publicInterval":
            publicPageInterval = value == "0" ? 0 : try duration()
            guard publicPageInterval == 0 || publicPageInterval >= 60_000 else { throw invalid("must be 0 (off) or at least 1m") }
        case "reconcile.publicTimeout":
            publicPageTimeout = try duration()
            guard (1_000...120_000).contains(publicPageTimeout) else { throw invalid("must be 1s to 2m") }
        case "reconcile.publicHostInterval":
            publicPageHostInterval = value == "0" ? 0 : try duration()
            guard publicPageHostInterval <= 60_000 else { throw invalid("must be at most 1m") }
        case "inspect.homePageDays", "inspect.noticeDays", "inspect.newMediaDays":
            guard let days = Int(value), (1...3_660).contains(days) else { throw invalid("must be 1 to 3660 days") }
            switch key.file {
            case "inspect.homePageDays": inspectionThresholds.homePageDays = days
            case "inspect.noticeDays": inspectionThresholds.noticeDays = days
            default: inspectionThresholds.newMediaDays = days
            }
        case "inspect.reports":
            guard !value.isEmpty else { throw invalid("must be a directory path") }
            inspectionReports = value
        case "inspect.quarterly":
            switch value {
            case "on", "true": quarterlyInspection = true
            case "off", "false": quarterlyInspection = false
            default: throw invalid("must be on or off")
            }
        case "server.address":
            guard !value.isEmpty, !value.contains(" ") else { throw invalid("must be an IP address or host name") }
            serverAddress = value
        case "server.port":
            if value == "off" {
                serverPort = nil
            } else {
                guard let number = Int(value), (0...65_535).contains(number) else { throw invalid("must be 0 to 65535, or off") }
                serverPort = number
            }
        case "indexNumberFormats":
            indexNumberFormats = try Self.indexNumberFormats(value, invalid: invalid)
        case "server.tlsCertificate", "server.tlsKey":
            guard !value.isEmpty else { throw invalid("must be a file path") }
            if key.file == "server.tlsKey" { serverTLSKey = value } else { serverTLSCertificate = value }
        default:
            break
        }
    }

    /// `{"publisher": "regular expression", …}`, each pattern compiled (and refused by name when it is not one).
    static func indexNumberFormats(_ value: String, invalid: (String) -> GongkaiError) throws(GongkaiError)
        -> IndexNumberFormats
    {
        guard let object = try? JSONSerialization.jsonObject(with: Data(value.utf8)) as? [String: Any] else {
            throw invalid("must be a mapping of publisher (统一社会信用代码 or full name) to a regular expression")
        }
        var formats = IndexNumberFormats()
        for (publisher, pattern) in object {
            guard let pattern = pattern as? String, !publisher.isEmpty else {
                throw invalid("must map each publisher to a regular expression given as text")
            }
            formats.byPublisher[publisher] = try IndexNumberFormats.Format(pattern, field: "indexNumberFormats.\(publisher)")
        }
        return formats
    }

    /// Reads the YAML file into dotted keys, rejecting keys gongkai does not know.
    static func flatten(_ text: String, source: String) throws(GongkaiError) -> [String: String] {
        let loaded: Any?
        do { loaded = try Yams.load(yaml: text) } catch {
            throw GongkaiError(.configuration, "\(source) is not valid YAML: \(error)", field: "config")
        }
        guard let map = loaded as? [String: Any] else {
            if loaded == nil { return [:] }
            throw GongkaiError(.configuration, "\(source) must be a mapping of settings", field: "config")
        }
        var values: [String: String] = [:]
        let known = Set(keys.map(\.file))
        func walk(_ map: [String: Any], prefix: String) throws(GongkaiError) {
            for (key, value) in map {
                let path = prefix + key
                // A mapping whose keys are the agency's own (publishers), kept whole as JSON.
                if path == "indexNumberFormats", let nested = value as? [String: Any] {
                    let text = nested.mapValues { "\($0)" }
                    let data = (try? JSONSerialization.data(withJSONObject: text, options: [.sortedKeys])) ?? Data("{}".utf8)
                    values[path] = String(decoding: data, as: UTF8.self)
                    continue
                }
                if let nested = value as? [String: Any] {
                    try walk(nested, prefix: path + ".")
                    continue
                }
                guard known.contains(path) else {
                    throw GongkaiError(
                        .configuration,
                        "\(source): unknown setting \"\(path)\"; known: \(keys.map(\.file).joined(separator: ", "))",
                        field: path)
                }
                values[path] = "\(value)"
            }
        }
        try walk(map, prefix: "")
        return values
    }
}
