public import Foundation
public import GongkaiCore

/// Typed access to a channel's `options` and `credentials`, for adapter
/// factories; every error names the channel file's key, never a secret value.
extension ChannelDefinition {
    /// The value of a named credential (`credentials.NAME`, or `secret`).
    public func credential(_ name: String, environment: [String: String] = ProcessInfo.processInfo.environment)
        throws(GongkaiError) -> String
    {
        let field = name == "secret" ? "secret" : "credentials." + name
        guard let reference = credentials[name] else {
            throw GongkaiError(
                .configuration, "\(source): a \(kind.rawValue) channel needs `\(field): {env: NAME}` or `{file: PATH}`",
                channel: id, field: field)
        }
        do {
            return try reference.resolve(channelID: id, environment: environment)
        } catch {
            var error = error
            error.field = field
            throw error
        }
    }

    /// A required option (`options.NAME`).
    public func option(_ name: String) throws(GongkaiError) -> String {
        guard let value = options[name], !value.isEmpty else {
            throw GongkaiError(
                .configuration, "\(source): a \(kind.rawValue) channel needs `options.\(name)`", channel: id,
                field: "options." + name)
        }
        return value
    }

    /// An optional whole-number option within `range`.
    public func intOption(_ name: String, default fallback: Int, range: ClosedRange<Int>) throws(GongkaiError) -> Int {
        guard let text = options[name] else { return fallback }
        guard let value = Int(text), range.contains(value) else {
            throw GongkaiError(
                .configuration, "\(source): options.\(name) must be a whole number from \(range.lowerBound) to \(range.upperBound)",
                channel: id, field: "options." + name)
        }
        return value
    }

    /// An optional duration option (`500ms`, `10s`, `5m`), in milliseconds.
    public func durationOption(_ name: String, default fallback: Int64) throws(GongkaiError) -> Int64 {
        guard let text = options[name] else { return fallback }
        do {
            return try DurationText.milliseconds(text)
        } catch {
            throw GongkaiError(
                .configuration, "\(source): options.\(name) must be a duration such as 500ms, 10s or 5m",
                channel: id, field: "options." + name)
        }
    }

    /// Rejects option names this kind does not know: a typo must not fall back silently.
    public func rejectUnknownOptions(allowed: Set<String>) throws(GongkaiError) {
        for name in options.keys.sorted() where !allowed.contains(name) {
            throw GongkaiError(
                .configuration,
                "\(source): unknown option \"options.\(name)\" for a \(kind.rawValue) channel; allowed: "
                    + (allowed.isEmpty ? "none" : allowed.sorted().joined(separator: ", ")),
                channel: id, field: "options." + name)
        }
    }

    /// Rejects credential names this kind does not use.
    public func rejectUnknownCredentials(allowed: Set<String>) throws(GongkaiError) {
        for name in credentials.keys.sorted() where !allowed.contains(name) {
            throw GongkaiError(
                .configuration,
                "\(source): unknown credential \"\(name)\" for a \(kind.rawValue) channel; allowed: "
                    + allowed.sorted().joined(separator: ", "),
                channel: id, field: name == "secret" ? "secret" : "credentials." + name)
        }
    }
}
