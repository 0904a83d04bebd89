import Foundation
import GongkaiCore
public import Logging
import NIOConcurrencyHelpers

/// A local stand-in for the agency portal's CMS (门户网站), speaking the
/// assumed REST interface of `channels/portal.yaml` strictly (see ``PortalEndpoint``
/// for the routes): bearer token on every request, articles upserted by
/// external id in a known column, 409 for an older version than the one
/// held, paged listing with each article's version and content hash.
///
/// It holds the articles so tests can assert what the portal shows, fails on
/// demand (``setFaults(_:)``), and has tampering hooks that make the portal
/// disagree with the outbox the way a hand edit would, for reconciliation tests.
public final class PortalSimulator: HTTPServedSimulator {
    private let rules: PortalEndpoint
    let server: SimulatorHTTPServer
    private let siteURL: String?

    /// - Parameters:
    ///   - token: The API token gongkai must present as `Authorization: Bearer`.
    ///   - columns: 栏目 codes the CMS knows; writes and listings elsewhere are refused.
    ///   - siteURL: Root of the public article URLs; defaults to `<baseURL>/site`.
    public init(token: String, columns: Set<String> = ["zcwj"], siteURL: String? = nil, logger: Logger) {
        rules = PortalEndpoint(token: token, columns: columns)
        server = SimulatorHTTPServer(endpoint: rules, logger: logger)
        self.siteURL = siteURL
    }

    // MARK: Lifecycle: start, stop and baseURL from ``LocalSimulator``

    func serving(at baseURL: String) {
        let site = siteURL ?? baseURL + "/site"
        rules.state.withLockedValue { $0.siteBase = site }
    }

    /// The API base to configure as the channel's `endpoint`.
    public var endpoint: String { server.baseURL + PortalEndpoint.prefix }

    // MARK: Settings

    /// Replaces the injected faults; restarts the script and the random sequence.
    public func setFaults(_ faults: PublishingFaults) {
        rules.state.withLockedValue { $0.faults = PublishingFaultDraw(faults) }
    }

    /// The faults currently set.
    public var faults: PublishingFaults { rules.state.withLockedValue { $0.faults.faults } }

    /// Rotates the accepted API token (the old one is refused from now on).
    public func setToken(_ token: String) {
        rules.state.withLockedValue { $0.token = token }
    }

    // MARK: What the portal shows

    /// Live articles, by article id; only those in `column` when given.
    public func articles(column: String? = nil) -> [PortalArticle] {
        rules.state.withLockedValue { state in
            state.articles.values.filter { column == nil || $0.column == column }
                .sorted { (Int($0.id) ?? 0) < (Int($1.id) ?? 0) }
        }
    }

    /// The live article with this external id.
    public func article(externalID: String) -> PortalArticle? {
        rules.state.withLockedValue { $0.articles[externalID] }
    }

    /// Articles created (not counting replacements).
    public var createdCount: Int { rules.state.withLockedValue { $0.created } }

    /// Accepted PUTs, creations and replacements.
    public var writeCount: Int { rules.state.withLockedValue { $0.writes } }

    /// Accepted deletions.
    public var deletionCount: Int { rules.state.withLockedValue { $0.deletions } }

    /// Every request that reached the simulator.
    public var requestCount: Int { rules.state.withLockedValue { $0.requests } }

    /// Requests not applied (or whose answer was lost), by reason: `unauthorized`,
    /// `validation`, `version-conflict`, `malformed-body`, `not-found`,
    /// `method-not-allowed`, `fault-server-error`, `fault-throttled`,
    /// `fault-dropped`, `fault-dropped-after-applying`. Zero counts are left out.
    public var rejectedCounts: [String: Int] { rules.state.withLockedValue { $0.rejections } }

    // MARK: The public site

    /// Root of the public article pages (`<baseURL>/site` unless set).
    public var siteBase: String { rules.state.withLockedValue { $0.siteBase } }

    /// Hosts a file on the site, as an agency hosts an item's 附件; returns its public URL
    /// (under the site's own address: `siteURL`'s origin, else this server's).
    @discardableResult
    public func hostFile(_ name: String, bytes: [UInt8]) -> String {
        let site = rules.state.withLockedValue { state in
            state.files[name] = bytes
            return state.siteBase
        }
        let encoded = name.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? name
        var origin = URLComponents(string: site) ?? URLComponents()
        origin.path = ""
        origin.query = nil
        return (origin.string ?? server.baseURL) + "/files/" + encoded
    }

    /// Replaces the public pages' faults (stale page, dead link, broken file).
    public func setPublicPageFaults(_ faults: PublicPageFaults) {
        rules.state.withLockedValue { $0.pageFaults = faults }
    }

    /// Requests for public pages and files, answered or not.
    public var pageViewCount: Int { rules.state.withLockedValue { $0.pageViews } }

    // MARK: Tampering (for reconciliation tests)

    /// Deletes an article behind gongkai's back, leaving no trace (it cannot
    /// be restored); false if there was none.
    @discardableResult
    public func removeBehindOurBack(externalID: String) -> Bool {
        rules.state.withLockedValue { $0.articles.removeValue(forKey: externalID) != nil }
    }

    /// Makes the live article claim an older version and hash, as if a
    /// stale copy had been restored by hand; false if there is none.
    @discardableResult
    public func setStale(externalID: String, version: Int, contentHash: String) -> Bool {
        rules.state.withLockedValue { state in
            guard var article = state.articles[externalID] else { return false }
            article.version = version
            article.contentHash = contentHash
            state.articles[externalID] = article
            return true
        }
    }

    /// Puts a deleted (withdrawn) article back live, as an editor restoring
    /// it from the CMS recycle bin would; false if nothing was deleted under that id.
    @discardableResult
    public func restoreWithdrawn(externalID: String) -> Bool {
        rules.state.withLockedValue { state in
            guard let article = state.deleted.removeValue(forKey: externalID) else { return false }
            state.articles[externalID] = article
            return true
        }
    }

    /// Puts articles in `column` as if gongkai had published them (external id
    /// `gk-<itemID>`), without a request each: the reconcile benchmark needs a
    /// million faster than the engine publishes them. Article ids follow the
    /// order given, which is the listing order.
    public func seedPublished(itemIDs: [String], column: String, version: Int, contentHash: String) {
        rules.state.withLockedValue { state in
            state.articles.reserveCapacity(state.articles.count + itemIDs.count)
            for itemID in itemIDs {
                let id = String(state.nextID)
                state.nextID += 1
                let article = PortalArticle(
                    id: id, externalID: "gk-" + itemID, column: column, title: itemID, content: "<p>\(itemID)</p>",
                    publishDate: "2026-01-05", version: version, contentHash: contentHash,
                    url: PortalEndpoint.articleURL(siteBase: state.siteBase, column: column, publishDate: "2026-01-05", id: id))
                state.articles[article.externalID] = article
            }
            state.created += itemIDs.count
        }
    }

    /// Adds an article gongkai never sent (an editor's own post), so a
    /// listing shows an entry without our external id.
    @discardableResult
    public func addForeignArticle(column: String, title: String, publishDate: String = "2026-01-05") -> PortalArticle {
        rules.state.withLockedValue { state in
            let id = String(state.nextID)
            state.nextID += 1
            let article = PortalArticle(
                id: id, externalID: "cms-\(id)", column: column, title: title, content: "<p>\(title)</p>",
                publishDate: publishDate, version: 1, contentHash: String(repeating: "0", count: 64),
                url: PortalEndpoint.articleURL(siteBase: state.siteBase, column: column, publishDate: publishDate, id: id))
            state.articles[article.externalID] = article
            return article
        }
    }
}
