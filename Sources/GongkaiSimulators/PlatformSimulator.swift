public import GongkaiCore
public import Logging
import NIOConcurrencyHelpers

/// A local stand-in for the provincial government information disclosure
/// platform (政府信息公开平台), speaking the assumed interface of
/// `channels/platform.yaml` strictly (see ``PlatformEndpoint``): every request
/// signed with the app secret, timestamps within ±5 minutes, each nonce once,
/// the full catalogue metadata on every document, answers in the platform's
/// `{code, message, data}` envelope with its codes.
///
/// It holds the documents so tests can assert what the platform shows, fails
/// on demand (``setFaults(_:)``), and has tampering hooks for reconciliation tests.
public final class PlatformSimulator: HTTPServedSimulator {
    private let rules: PlatformEndpoint
    let server: SimulatorHTTPServer
    private let siteURL: String?

    /// - Parameters:
    ///   - appKey: The app key gongkai must send as `X-App-Key`.
    ///   - appSecret: The secret its signatures are checked with.
    ///   - siteCodes: Sites the app key may publish to (others get 40301).
    ///   - toleranceSeconds: How far `X-Timestamp` may be from the simulator's clock, either way.
    ///   - clock: Judges timestamps, so a test can move time.
    ///   - siteURL: Root of the public document URLs; defaults to `<baseURL>/gk`.
    public init(
        appKey: String, appSecret: String, siteCodes: Set<String> = ["jl-lcj"], toleranceSeconds: Int64 = 300,
        clock: any WallClock = SystemWallClock(), siteURL: String? = nil, logger: Logger
    ) {
        rules = PlatformEndpoint(
            appKey: appKey, appSecret: appSecret, siteCodes: siteCodes, toleranceSeconds: toleranceSeconds, clock: clock)
        server = SimulatorHTTPServer(endpoint: rules, logger: logger)
        self.siteURL = siteURL
    }

    // MARK: Lifecycle: start, stop and baseURL from ``LocalSimulator``

    func serving(at baseURL: String) {
        let site = siteURL ?? baseURL + "/gk"
        rules.state.withLockedValue { $0.siteBase = site }
    }

    /// The API base to configure as the channel's `endpoint`.
    public var endpoint: String { server.baseURL + PlatformEndpoint.prefix }

    /// Replaces the public pages' faults (a page showing the previous version, a dead link).
    public func setPublicPageFaults(_ faults: PublicPageFaults) {
        rules.state.withLockedValue { $0.pageFaults = faults }
    }

    /// Requests for public pages, answered or not.
    public var pageViewCount: Int { rules.state.withLockedValue { $0.pageViews } }

    // MARK: Settings

    /// Replaces the injected faults; restarts the script and the random sequence.
    public func setFaults(_ faults: PublishingFaults) {
        rules.state.withLockedValue { $0.faults = PublishingFaultDraw(faults) }
    }

    /// The faults currently set.
    public var faults: PublishingFaults { rules.state.withLockedValue { $0.faults.faults } }

    /// Rotates the app secret (signatures with the old one fail from now on).
    public func setAppSecret(_ secret: String) {
        rules.state.withLockedValue { $0.appSecret = secret }
    }

    // MARK: What the platform shows

    /// Live documents of `siteCode` (every site when nil), by document id.
    public func documents(siteCode: String? = nil) -> [PlatformDocument] {
        rules.state.withLockedValue { state in
            state.documents.values.filter { siteCode == nil || $0.siteCode == siteCode }.sorted { $0.docID < $1.docID }
        }
    }

    /// The live document with this external id on `siteCode`.
    public func document(siteCode: String, externalID: String) -> PlatformDocument? {
        rules.state.withLockedValue { $0.documents[siteCode + "/" + externalID] }
    }

    /// Documents created (not counting replacements).
    public var createdCount: Int { rules.state.withLockedValue { $0.created } }

    /// Accepted PUTs, creations and replacements.
    public var writeCount: Int { rules.state.withLockedValue { $0.writes } }

    /// Accepted deletions.
    public var deletionCount: Int { rules.state.withLockedValue { $0.deletions } }

    /// Every request that reached the simulator.
    public var requestCount: Int { rules.state.withLockedValue { $0.requests } }

    /// Requests not applied (or whose answer was lost), by reason:
    /// `missing-header`, `unknown-app-key`, `stale-timestamp`,
    /// `invalid-signature`, `replayed-nonce`, `malformed-request`,
    /// `forbidden-site`, `missing-catalogue-field`, `invalid-field`,
    /// `version-conflict`, `not-found`, `method-not-allowed`,
    /// `fault-server-error`, `fault-throttled`, `fault-dropped`,
    /// `fault-dropped-after-applying`. Zero counts are left out.
    public var rejectedCounts: [String: Int] { rules.state.withLockedValue { $0.rejections } }

    // MARK: Tampering (for reconciliation tests)

    /// Deletes a document behind gongkai's back, leaving no trace; false if there was none.
    @discardableResult
    public func removeBehindOurBack(siteCode: String, externalID: String) -> Bool {
        rules.state.withLockedValue { $0.documents.removeValue(forKey: siteCode + "/" + externalID) != nil }
    }

    /// Makes the live document claim an older version and hash; false if there is none.
    @discardableResult
    public func setStale(siteCode: String, externalID: String, version: Int, contentHash: String) -> Bool {
        rules.state.withLockedValue { state in
            let key = siteCode + "/" + externalID
            guard var document = state.documents[key] else { return false }
            document.version = version
            document.contentHash = contentHash
            state.documents[key] = document
            return true
        }
    }

    /// Puts a deleted (withdrawn) document back live; false if nothing was deleted under that id.
    @discardableResult
    public func restoreWithdrawn(siteCode: String, externalID: String) -> Bool {
        rules.state.withLockedValue { state in
            let key = siteCode + "/" + externalID
            guard let document = state.deleted.removeValue(forKey: key) else { return false }
            state.documents[key] = document
            return true
        }
    }
}
