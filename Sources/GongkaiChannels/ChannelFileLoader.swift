import Foundation
public import GongkaiCore
import Yams

/// Reads channel definitions from `channels/*.yaml`.
///
/// Strict on purpose: an unknown key is most likely a typo that would
/// otherwise silently fall back to a default, so it is an error naming the key.
public enum ChannelFileLoader {
    static let topKeys: Set<String> = [
        "id", "kind", "name", "endpoint", "secret", "audience", "routing", "retry", "rateLimit", "concurrency",
        "timeout", "circuitBreaker", "notes", "credentials", "options", "canonical", "waitForPortal", "withoutPortal",
    ]
    static let nestedKeys: [String: Set<String>] = [
        "secret": ["env", "file"],
        "routing": ["kinds", "categories", "includeOnRequest"],
        "retry": ["delays", "jitter", "minimumThrottleDelay", "maximumRetryAfter"],
        "rateLimit": ["perSecond", "perMinute", "burst"],
        "circuitBreaker": ["failureThreshold", "openDuration"],
    ]

    /// Loads every `.yaml`/`.yml` file in `directory`, sorted by name; ids must be unique.
    public static func load(directory: String) throws(GongkaiError) -> [ChannelDefinition] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory)
        } catch {
            throw GongkaiError(.configuration, "cannot read the channels directory \(directory)", field: "channels")
        }
        var definitions: [ChannelDefinition] = []
        for name in names.sorted() where name.hasSuffix(".yaml") || name.hasSuffix(".yml") {
            let path = (directory as NSString).appendingPathComponent(name)
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
                throw GongkaiError(.configuration, "cannot read channel file \(path)")
            }
            let definition = try parse(text, source: path)
            if let other = definitions.first(where: { $0.id == definition.id }) {
                throw GongkaiError(
                    .configuration, "channel id is declared twice: \(other.source) and \(path)",
                    channel: definition.id, field: "id")
            }
            definitions.append(definition)
        }
        let canonical = definitions.filter(\.isCanonical)
        if canonical.count > 1 {
            throw GongkaiError(
                .configuration,
                "more than one channel is the canonical portal (\(canonical.map(\.id).joined(separator: ", "))); "
                    + "set `canonical: false` on all but one",
                channel: canonical[1].id, field: "canonical")
        }
        return definitions
    }

    /// Parses one channel file.
    public static func parse(_ text: String, source: String) throws(GongkaiError) -> ChannelDefinition {
        let loaded: Any?
        do {
            loaded = try Yams.load(yaml: text)
        } catch {
            throw GongkaiError(.configuration, "\(source) is not valid YAML: \(error)")
        }
        guard let map = loaded as? [String: Any] else {
            throw GongkaiError(.configuration, "\(source) must be a YAML mapping of channel settings")
        }
        // Until the id is known, errors can only name the file.
        try Reader(map: map, source: source).rejectUnknown(keys: topKeys, prefix: "")
        for (key, allowed) in nestedKeys {
            if let nested = map[key] as? [String: Any] {
                try Reader(map: nested, source: source, channel: map["id"] as? String)
                    .rejectUnknown(keys: allowed, prefix: key + ".")
            }
        }

        let id = try Reader(map: map, source: source).string("id")
        guard ChannelDefinition.isValidID(id) else {
            throw GongkaiError(
                .configuration, "\(source): id must be lower-case letters, digits and '-', 1–63 characters",
                channel: id, field: "id")
        }
        let reader = Reader(map: map, source: source, channel: id)
        let kindText = try reader.string("kind")
        guard let kind = ChannelDefinition.Kind(rawValue: kindText) else {
            throw reader.invalid(
                "kind", "unknown channel kind \"\(kindText)\"; known: "
                    + ChannelDefinition.Kind.allCases.map(\.rawValue).joined(separator: ", "))
        }
        let endpoint = try reader.string("endpoint")
        guard let url = URL(string: endpoint), let scheme = url.scheme, ["http", "https"].contains(scheme),
            url.host != nil
        else {
            throw reader.invalid("endpoint", "must be an absolute http or https URL")
        }

        var credentials: [String: SecretReference] = [:]
        if let secretMap = map["secret"] {
            credentials["secret"] = try reader.secretReference(secretMap, key: "secret")
        }
        if let raw = map["credentials"] {
            guard let credentialMap = raw as? [String: Any] else {
                throw reader.invalid("credentials", "must map names to `{env: NAME}` or `{file: PATH}`")
            }
            let sub = Reader(map: credentialMap, source: source, channel: id, prefix: "credentials.")
            for (name, value) in credentialMap.sorted(by: { $0.key < $1.key }) {
                guard credentials[name] == nil else {
                    throw sub.invalid(name, "is also given as the top-level `secret`")
                }
                credentials[name] = try sub.secretReference(value, key: name)
            }
        }
        var options: [String: String] = [:]
        if let raw = map["options"] {
            guard let optionMap = raw as? [String: Any] else {
                throw reader.invalid("options", "must be a mapping of settings for this kind")
            }
            let sub = Reader(map: optionMap, source: source, channel: id, prefix: "options.")
            for (name, value) in optionMap {
                switch value {
                case let text as String: options[name] = text
                case let number as Int: options[name] = String(number)
                case let number as Double: options[name] = String(number)
                case let flag as Bool: options[name] = String(flag)
                default: throw sub.invalid(name, "must be a string, number or true/false")
                }
            }
        }
        let canonical = try reader.optionalBool("canonical")
        if canonical == true && kind != .portal {
            throw reader.invalid("canonical", "only a portal channel can give items their canonical URL")
        }
        let waitForPortal = try reader.optionalBool("waitForPortal")
        if kind == .webhook && credentials["secret"] == nil {
            throw GongkaiError(
                .configuration, "\(source): a webhook channel needs `secret: {env: NAME}` or `secret: {file: PATH}`",
                channel: id, field: "secret")
        }

        var audience = ChannelAudience.public
        if let text = try reader.optionalString("audience") {
            guard let value = ChannelAudience(rawValue: text) else {
                throw reader.invalid("audience", "must be public or government")
            }
            audience = value
        }

        var routing = RoutingRule.everything
        if let routingMap = map["routing"] as? [String: Any] {
            let sub = Reader(map: routingMap, source: source, channel: id, prefix: "routing.")
            if let kinds = try sub.optionalStrings("kinds") {
                routing.kinds = Set(
                    try kinds.map { (text: String) throws(GongkaiError) -> DisclosureItem.Kind in
                        guard let value = DisclosureItem.Kind(rawValue: text) else {
                            throw sub.invalid("kinds", "unknown kind \"\(text)\"")
                        }
                        return value
                    })
            }
            if let categories = try sub.optionalStrings("categories") {
                routing.categories = Set(
                    try categories.map { (text: String) throws(GongkaiError) -> DisclosureItem.Category in
                        guard let value = DisclosureItem.Category(rawValue: text) else {
                            throw sub.invalid("categories", "unknown category \"\(text)\"")
                        }
                        return value
                    })
            }
            routing.includeOnRequest = try sub.optionalBool("includeOnRequest") ?? false
        }

        var retry = RetrySchedule.standard
        if let retryMap = map["retry"] as? [String: Any] {
            let sub = Reader(map: retryMap, source: source, channel: id, prefix: "retry.")
            do throws(GongkaiError) {
                let delays = try sub.optionalStrings("delays")
                let jitter = try sub.optionalDouble("jitter") ?? RetrySchedule.standard.jitter
                retry = try RetrySchedule(
                    delays: try delays.map { (texts: [String]) throws(GongkaiError) in
                        try texts.map { (text: String) throws(GongkaiError) in try DurationText.milliseconds(text) }
                    } ?? RetrySchedule.standard.delays,
                    jitter: jitter,
                    minimumThrottleDelay: try sub.optionalDuration("minimumThrottleDelay")
                        ?? RetrySchedule.defaultMinimumThrottleDelay,
                    maximumRetryAfter: try sub.optionalDuration("maximumRetryAfter")
                        ?? RetrySchedule.defaultMaximumRetryAfter)
            } catch {
                var error = error
                error.channel = id
                if error.field == nil { error.field = "retry" }
                throw error
            }
        }

        var ratePerSecond: Double?
        var burst: Int?
        if let rateMap = map["rateLimit"] as? [String: Any] {
            let sub = Reader(map: rateMap, source: source, channel: id, prefix: "rateLimit.")
            if let perSecond = try sub.optionalDouble("perSecond") { ratePerSecond = perSecond }
            if let perMinute = try sub.optionalDouble("perMinute") { ratePerSecond = perMinute / 60 }
            burst = try sub.optionalInt("burst")
            if let ratePerSecond {
                do {
                    _ = try TokenBucket(ratePerSecond: ratePerSecond, burst: burst ?? max(1, Int(ratePerSecond.rounded(.up))))
                } catch {
                    throw sub.invalid(error.field ?? "perSecond", error.message)
                }
            }
        }

        let concurrency = try reader.optionalInt("concurrency") ?? 8
        guard (1...1024).contains(concurrency) else { throw reader.invalid("concurrency", "must be 1 to 1024") }
        let timeout = try reader.optionalDuration("timeout") ?? 10_000
        guard (100...300_000).contains(timeout) else { throw reader.invalid("timeout", "must be 100ms to 5m") }

        var threshold = 5
        var openDuration: Int64 = 30_000
        if let breakerMap = map["circuitBreaker"] as? [String: Any] {
            let sub = Reader(map: breakerMap, source: source, channel: id, prefix: "circuitBreaker.")
            threshold = try sub.optionalInt("failureThreshold") ?? threshold
            openDuration = try sub.optionalDuration("openDuration") ?? openDuration
            do {
                _ = try CircuitBreaker(failureThreshold: threshold, openDuration: openDuration)
            } catch {
                throw sub.invalid(error.field ?? "failureThreshold", error.message)
            }
        }

        var definition = ChannelDefinition(
            id: id, kind: kind, name: try reader.optionalString("name"), endpoint: endpoint,
            credentials: credentials, options: options, isCanonical: canonical, waitsForCanonical: waitForPortal,
            audience: audience, routing: routing, retry: retry, ratePerSecond: ratePerSecond, rateBurst: burst,
            concurrency: concurrency, timeout: timeout, breakerFailureThreshold: threshold,
            breakerOpenDuration: openDuration, source: source)
        if map["withoutPortal"] != nil {
            guard let fallbackMap = map["withoutPortal"] as? [String: Any] else {
                throw reader.invalid("withoutPortal", "must be a mapping with withinWorkdays (and fallbackURL)")
            }
            guard definition.waitsForCanonical else {
                throw reader.invalid("withoutPortal", "only a channel that waits for the portal URL can stop waiting")
            }
            let sub = Reader(map: fallbackMap, source: source, channel: id, prefix: "withoutPortal.")
            for key in fallbackMap.keys where !["withinWorkdays", "fallbackURL"].contains(key) {
                throw sub.invalid(key, "unknown key (known: withinWorkdays, fallbackURL)")
            }
            guard let within = try sub.optionalInt("withinWorkdays"), (0...20).contains(within) else {
                throw sub.invalid("withinWorkdays", "must be a number of working days from 0 to 20")
            }
            let url = try sub.optionalString("fallbackURL")
            if let url, !(url.hasPrefix("https://") || url.hasPrefix("http://")) || url.utf8.count > 1024 {
                throw sub.invalid("fallbackURL", "must be an http(s) URL of at most 1 KB")
            }
            definition.withoutPortal = PortalFallback(withinWorkdays: within, fallbackURL: url)
        }
        return definition
    }

    /// Typed access to one YAML mapping, with errors that name the file, channel and key.
    struct Reader {
        var map: [String: Any]
        var source: String
        var channel: String?
        var prefix: String = ""

        func invalid(_ key: String, _ message: String) -> GongkaiError {
            GongkaiError(.configuration, "\(source): \(prefix)\(key) \(message)", channel: channel, field: prefix + key)
        }

        /// `{env: NAME}` or `{file: PATH}`.
        func secretReference(_ raw: Any, key: String) throws(GongkaiError) -> SecretReference {
            guard let secretMap = raw as? [String: Any] else {
                throw invalid(key, "must be a mapping with `env: NAME` or `file: PATH`")
            }
            let sub = Reader(map: secretMap, source: source, channel: channel, prefix: prefix + key + ".")
            try sub.rejectUnknown(keys: ["env", "file"], prefix: prefix + key + ".")
            switch (try sub.optionalString("env"), try sub.optionalString("file")) {
            case (let name?, nil): return .environment(name)
            case (nil, let path?): return .file(path)
            default: throw invalid(key, "give exactly one of `env: NAME` or `file: PATH`")
            }
        }

        func rejectUnknown(keys: Set<String>, prefix: String) throws(GongkaiError) {
            for key in map.keys.sorted() where !keys.contains(key) {
                throw GongkaiError(
                    .configuration,
                    "\(source): unknown key \"\(prefix)\(key)\"; allowed: \(keys.sorted().joined(separator: ", "))",
                    channel: channel, field: prefix + key)
            }
        }

        func string(_ key: String) throws(GongkaiError) -> String {
            guard let value = try optionalString(key) else {
                throw GongkaiError(
                    .configuration, "\(source): \(prefix)\(key) is required", channel: channel, field: prefix + key)
            }
            return value
        }

        func optionalString(_ key: String) throws(GongkaiError) -> String? {
            guard let raw = map[key] else { return nil }
            guard let value = raw as? String, !value.isEmpty else { throw invalid(key, "must be a non-empty string") }
            return value
        }

        func optionalStrings(_ key: String) throws(GongkaiError) -> [String]? {
            guard let raw = map[key] else { return nil }
            guard let list = raw as? [Any] else { throw invalid(key, "must be a list") }
            return try list.map { (element: Any) throws(GongkaiError) -> String in
                if let text = element as? String { return text }
                if let number = element as? Int { return String(number) }
                throw invalid(key, "must be a list of strings")
            }
        }

        func optionalInt(_ key: String) throws(GongkaiError) -> Int? {
            guard let raw = map[key] else { return nil }
            guard let value = raw as? Int else { throw invalid(key, "must be a whole number") }
            return value
        }

        func optionalDouble(_ key: String) throws(GongkaiError) -> Double? {
            guard let raw = map[key] else { return nil }
            if let value = raw as? Double { return value }
            if let value = raw as? Int { return Double(value) }
            throw invalid(key, "must be a number")
        }

        func optionalBool(_ key: String) throws(GongkaiError) -> Bool? {
            guard let raw = map[key] else { return nil }
            guard let value = raw as? Bool else { throw invalid(key, "must be true or false") }
            return value
        }

        func optionalDuration(_ key: String) throws(GongkaiError) -> Int64? {
            guard let raw = map[key] else { return nil }
            let text = (raw as? String) ?? (raw as? Int).map(String.init)
            guard let text else { throw invalid(key, "must be a duration such as 10s, 5m or 2h") }
            do {
                return try DurationText.milliseconds(text)
            } catch {
                throw invalid(key, "must be a duration such as 10s, 5m or 2h (\(error.message))")
            }
        }
    }
}
