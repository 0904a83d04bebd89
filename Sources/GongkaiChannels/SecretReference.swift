public import Foundation
public import GongkaiCore

/// Where a channel's secret lives. Channel files name an environment variable
/// or a file, never the secret itself; errors name the reference, never the value.
public enum SecretReference: Sendable, Equatable, CustomStringConvertible {
    case environment(String)
    case file(String)

    public var description: String {
        switch self {
        case .environment(let name): return "environment variable \(name)"
        case .file(let path): return "file \(path)"
        }
    }

    /// Reads the secret, trimmed of surrounding white space.
    public func resolve(channelID: String, environment: [String: String] = ProcessInfo.processInfo.environment)
        throws(GongkaiError) -> String
    {
        let value: String?
        switch self {
        case .environment(let name):
            value = environment[name]
        case .file(let path):
            value = (try? String(contentsOfFile: path, encoding: .utf8))
        }
        guard let secret = value?.trimmingCharacters(in: .whitespacesAndNewlines), !secret.isEmpty else {
            throw GongkaiError(
                .configuration, "the secret is missing or empty: set \(self)", channel: channelID, field: "secret")
        }
        return secret
    }
}
