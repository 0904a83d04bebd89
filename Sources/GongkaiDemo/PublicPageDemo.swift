import Foundation
import Crypto
import GongkaiAudit
import GongkaiChannels
import GongkaiCore
import GongkaiSimulators
import GongkaiStore

/// The demo's public-page step: the portal keeps showing the policy's first
/// version and loses its 附件; the check must find exactly those two, and
/// every other page on the portal, the platform, WeChat and Weibo must show its current version.
enum PublicPageDemo {
    static func sha256(_ bytes: [UInt8]) -> String { SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined() }

    static func run(
        store: any OutboxStore, platforms: DemoPlatforms, definitions: [ChannelDefinition], policyID: String, annex: String
    ) async throws -> Bool {
        guard let portal = platforms.portal else { return true }
        portal.setPublicPageFaults(PublicPageFaults(stale: [policyID], brokenFiles: [annex]))
        // Every public page, each host sent to its simulator (WeChat's and Weibo's give their
        // platforms' real addresses, which a demo must not fetch).
        let sites = definitions.filter { PublicPageInspector.pageKinds.contains($0.kind) }
        let fetcher = PublicWebFetcher(timeout: 3_000, hostInterval: 0, addressOverrides: platforms.siteOverrides)
        let pages: PublicPageReport
        do {
            pages = try await PublicPageInspector(store: store, channels: sites, fetcher: fetcher).run()
        } catch {
            await fetcher.shutdown()
            throw error
        }
        await fetcher.shutdown()
        print(ReconcileRenderer.renderPublicPages(pages, language: .zh))
        let stale = pages.rows.contains {
            $0.channelID == "portal" && $0.itemID == policyID && $0.status == .differs
                && $0.brokenAttachments.contains { $0.url.hasSuffix("/" + annex) }
        }
        let others = pages.rows.filter { !($0.channelID == "portal" && $0.itemID == policyID) }
        let found = stale && others.isEmpty && pages.findingCount == 2
        print(
            found
                ? "   found what was injected: the portal shows the policy's old version, and its 附件 answers 404; every other page is current"
                : "   the public-page check did NOT find exactly the injected stale page and broken 附件")
        portal.setPublicPageFaults(.none)
        return found
    }
}
