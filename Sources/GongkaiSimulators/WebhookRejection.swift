/// Why the simulator did not accept a request; the keys of
/// ``WebhookSimulator/rejectedCounts``.
enum WebhookRejection: String, CaseIterable, Sendable {
    case methodNotAllowed = "method-not-allowed"
    case oversized = "oversized"
    case missingHeader = "missing-header"
    case invalidTimestamp = "invalid-timestamp"
    case staleTimestamp = "stale-timestamp"
    case invalidSignature = "invalid-signature"
    case malformedBody = "malformed-body"
    case faultServerError = "fault-server-error"
    case faultThrottled = "fault-throttled"
    case faultPermanent = "fault-permanent"
    case faultDropped = "fault-dropped"
    case faultGone = "fault-gone"

    /// Position in the ledger's counter array, which avoids hashing strings per rejection.
    var index: Int {
        switch self {
        case .methodNotAllowed: 0
        case .oversized: 1
        case .missingHeader: 2
        case .invalidTimestamp: 3
        case .staleTimestamp: 4
        case .invalidSignature: 5
        case .malformedBody: 6
        case .faultServerError: 7
        case .faultThrottled: 8
        case .faultPermanent: 9
        case .faultDropped: 10
        case .faultGone: 11
        }
    }
}
