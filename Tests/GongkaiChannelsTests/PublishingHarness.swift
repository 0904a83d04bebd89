import Foundation
import GongkaiChannels
import GongkaiCore
import Logging
import NIOCore

/// Shared helpers for the portal and disclosure-platform tests.
enum PublishingHarness {
    static let logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })

    static func deadline(milliseconds: Int64 = 5_000) -> NIODeadline {
        .now() + .milliseconds(milliseconds)
    }

    /// A publish request for `item`, as the engine would build it.
    static func publish(_ item: DisclosureItem, version: Int = 1, channelID: String, canonicalURL: String? = nil)
        -> DeliveryRequest
    {
        DeliveryRequest(
            itemID: item.id, version: version, channelID: channelID, operation: .publish,
            contentHash: ItemCanonicalForm.contentHash(item), document: ItemCanonicalForm.document(item),
            canonicalURL: canonicalURL)
    }

    static func withdraw(_ item: DisclosureItem, version: Int = 1, channelID: String, remoteID: String?)
        -> DeliveryRequest
    {
        DeliveryRequest(
            itemID: item.id, version: version, channelID: channelID, operation: .withdraw,
            contentHash: ItemCanonicalForm.contentHash(item), document: ItemCanonicalForm.document(item),
            withdrawReason: "已被新文件替代", remoteID: remoteID)
    }

    /// Distinct valid notices `notice-<n>`.
    static func notice(_ n: Int) -> DisclosureItem {
        var item = SampleDisclosures.notice
        item.id = "notice-\(n)"
        item.title = "关于开展森林草原防火检查的通知（第\(n)号）"
        item.indexNumber = "013544285/2026-" + String(format: "%05d", 100 + n)
        return item
    }

    /// The repository root, for reading `channels/*.yaml`.
    static var repositoryRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    /// Drains a `throws(DeliveryError)` call into a Result, so `#expect` can look at the error.
    static func outcome(_ body: () async throws(DeliveryError) -> DeliveryReceipt) async -> Result<DeliveryReceipt, DeliveryError> {
        do throws(DeliveryError) {
            return .success(try await body())
        } catch {
            return .failure(error)
        }
    }
}

/// A clock that stands still at a chosen instant.
struct FixedClock: WallClock {
    var millis: Int64
    func now() -> Int64 { millis }
}

extension Result {
    var error: Failure? {
        if case .failure(let error) = self { return error }
        return nil
    }
}

extension PlatformHTTP {
    /// A hand-built JSON body, for simulator tests that send what no adapter
    /// would (missing or odd fields); the adapters send their wire types.
    static func jsonBody(_ object: [String: Any]) -> [UInt8] {
        Array((try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data())
    }
}
