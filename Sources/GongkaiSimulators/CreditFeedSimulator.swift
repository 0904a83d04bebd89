import GongkaiCore
public import Logging
import NIOConcurrencyHelpers

/// A local stand-in for the credit-sharing feed (信用中国 双公示), speaking
/// the interface ``CreditFeedAdapter`` assumes (the real one is not
/// published; the strict reading is taken throughout):
///
/// - `POST /records/batch` with `Authorization: Bearer <token>`: 1 to
///   `maxRecordsPerBatch` records, each answered `accepted` or `rejected`
///   with a code and reason (MISSING_FIELD, UNKNOWN_FIELD, INVALID_FIELD,
///   INVALID_DATE, INVALID_CREDIT_CODE, INVALID_ID_NUMBER, INVALID_TYPE,
///   INVALID_OPERATION, ALREADY_EXISTS, STALE_VERSION, NOT_FOUND); a bad
///   record never stops the good ones. A `recordId` already in effect is
///   answered as before without change, so a resent batch creates nothing twice.
///   An `update` for an item it does not hold is taken as the record (it
///   carries every field); a `revoke` needs an active record and a BZ reason.
/// - `GET /records?page=&pageSize=`: the active records.
/// - 401 `UNAUTHORIZED` without the right token; 413 `BATCH_SIZE`; 429
///   `RATE_LIMITED` and 5xx on injected faults (``setFaults(_:)``).
public final class CreditFeedSimulator: HTTPServedSimulator {
    private let platform: CreditFeedPlatform
    let server: SimulatorHTTPServer

    /// - Parameters:
    ///   - apiToken: The bearer token gongkai must present.
    ///   - maxRecordsPerBatch: Larger batches are refused whole (413).
    public init(apiToken: String, maxRecordsPerBatch: Int = 1000, logger: Logger) {
        platform = CreditFeedPlatform(apiToken: apiToken, maxRecordsPerBatch: maxRecordsPerBatch)
        server = SimulatorHTTPServer(endpoint: platform, logger: logger)
    }

    // MARK: Lifecycle: start, stop and baseURL from ``LocalSimulator``; baseURL is the channel's `endpoint`.

    // MARK: Faults

    /// Replaces the injected faults; restarts the script and the random sequence.
    public func setFaults(_ faults: CreditFeedFaults) {
        platform.state.withLockedValue { state in
            state.faults = faults
            state.scriptPosition = 0
            state.random = SplitMix64(seed: faults.seed)
        }
    }

    // MARK: Inspection

    /// Every record held, active or revoked, by remote id.
    public func records() -> [CreditFeedRecord] {
        platform.state.withLockedValue { Array($0.records.values) }.sorted { $0.remoteID < $1.remoteID }
    }

    /// The record held for `itemID`.
    public func record(itemID: String) -> CreditFeedRecord? {
        platform.state.withLockedValue { $0.records[itemID] }
    }

    /// Authenticated, well-formed batch submissions that reached record processing, in order.
    public func submissions() -> [CreditFeedSubmission] {
        platform.state.withLockedValue { $0.submissions }
    }

    /// Refusals by code: per-record codes, and whole-request ones (`UNAUTHORIZED`,
    /// `BAD_BATCH`, `BATCH_SIZE`, `RATE_LIMITED`, `FAULT_SERVER_ERROR`, `FAULT_DROPPED`).
    public var rejectedCounts: [String: Int] {
        platform.state.withLockedValue { $0.rejected }
    }

    /// Records resent with a `recordId` already in effect (answered without change).
    public var duplicateCount: Int {
        platform.state.withLockedValue { $0.duplicates }
    }

    // MARK: Tampering (for reconciliation tests)

    /// Deletes the record for `itemID` behind gongkai's back.
    public func dropRecord(itemID: String) {
        platform.state.withLockedValue { _ = $0.records.removeValue(forKey: itemID) }
    }

    /// Makes the held record claim another version and hash, as if a stale write won.
    public func setStale(itemID: String, version: Int, contentHash: String) {
        platform.state.withLockedValue { state in
            state.records[itemID]?.version = version
            state.records[itemID]?.contentHash = contentHash
        }
    }

    /// Acknowledges revocations of `itemID` from now on but keeps the record active.
    public func keepLiveOnRevoke(itemID: String) {
        platform.state.withLockedValue { _ = $0.ignoreRevoke.insert(itemID) }
    }
}
