public import Foundation
public import GongkaiChannels
import GongkaiAudit
import GongkaiCore
import NIOCore

/// `gongkai channels test C`: checks a channel's configuration, credentials
/// and reachability without publishing anything, and says what it found.
public enum ChannelTester {
    public static func test(
        _ definition: ChannelDefinition, environment: [String: String] = ProcessInfo.processInfo.environment,
        timeoutMillis: Int64 = 10_000
    ) async -> [ChannelCheck] {
        let adapter: any ChannelAdapter
        do {
            adapter = try ChannelAdapterFactory.make(definition, environment: environment)
        } catch {
            return [ChannelCheck(name: "configuration", passed: false, detail: error.message)]
        }
        var checks = [
            ChannelCheck(
                name: "configuration", passed: true,
                detail: "\(definition.source): kind \(definition.kind.rawValue), can \(adapter.capabilities.names.joined(separator: ", ")); "
                    + "credentials resolved: \(definition.credentials.keys.sorted().joined(separator: ", ").nonEmpty ?? "none")")
        ]
        checks += await adapter.check(deadline: .now() + .milliseconds(timeoutMillis))
        await adapter.shutdown()
        return checks
    }
}

extension String {
    fileprivate var nonEmpty: String? { isEmpty ? nil : self }
}
