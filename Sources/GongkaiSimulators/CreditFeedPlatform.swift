import Foundation
import GongkaiCore
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1

/// The credit-sharing feed's rules behind ``CreditFeedSimulator``: bearer
/// auth, batch shape, per-record validation and results, dedupe by
/// `recordId`, the held records and their listing.
final class CreditFeedPlatform: SimulatorEndpoint {
    struct State: Sendable {
        var records: [String: CreditFeedRecord] = [:]
        /// recordId → the answer it got when accepted, so a resend gets it again.
        var accepted: [String: String] = [:]
        var submissions: [CreditFeedSubmission] = []
        var rejected: [String: Int] = [:]
        var duplicates = 0
        var nextRemoteID = 1
        var faults = CreditFeedFaults.none
        var scriptPosition = 0
        var random = SplitMix64(seed: CreditFeedFaults.none.seed)
        /// Items whose revocation is acknowledged but not carried out (tampering).
        var ignoreRevoke: Set<String> = []
    }

    let apiToken: String
    let maxRecordsPerBatch: Int
    let state = NIOLockedValueBox(State())

    init(apiToken: String, maxRecordsPerBatch: Int) {
        self.apiToken = apiToken
        self.maxRecordsPerBatch = maxRecordsPerBatch
    }

    func respond(to request: SimulatorRequest) async -> SimulatorResponse {
        guard request.headers.first(name: "authorization") == "Bearer " + apiToken else {
            count("UNAUTHORIZED")
            return .json(["code": "UNAUTHORIZED", "reason": "missing or invalid bearer token"], status: .unauthorized)
        }
        switch (request.method, request.path) {
        case (.POST, "/records/batch"): return submit(request)
        case (.GET, "/records"): return listing(request)
        case (_, "/records/batch"), (_, "/records"):
            return .json(["code": "METHOD_NOT_ALLOWED", "reason": "method not allowed"], status: .methodNotAllowed)
        default:
            return .json(["code": "NOT_FOUND", "reason": "no such interface"], status: .notFound)
        }
    }

    private func count(_ code: String) {
        state.withLockedValue { $0.rejected[code, default: 0] += 1 }
    }

    private func nextFault() -> CreditFeedFaults.Fault {
        state.withLockedValue { state in
            let faults = state.faults
            if state.scriptPosition < faults.script.count {
                defer { state.scriptPosition += 1 }
                return faults.script[state.scriptPosition]
            }
            guard faults.serverErrorRate + faults.throttleRate + faults.dropRate + faults.slowRate > 0 else { return .accept }
            var draw = state.random.nextUnit()
            if draw < faults.serverErrorRate { return .serverError(status: 503) }
            draw -= faults.serverErrorRate
            if draw < faults.throttleRate { return .throttle(retryAfterSeconds: faults.retryAfterSeconds) }
            draw -= faults.throttleRate
            if draw < faults.dropRate { return .drop }
            draw -= faults.dropRate
            if draw < faults.slowRate { return .slow(faults.slowDelay) }
            return .accept
        }
    }

    private func submit(_ request: SimulatorRequest) -> SimulatorResponse {
        // Taken before any parsing, so the time is the arrival, not the end of our own work.
        let arrived = NIODeadline.now()
        guard let json = request.json, let batchID = json["batchId"] as? String, !batchID.isEmpty,
            let records = json["records"] as? [[String: Any]]
        else {
            count("BAD_BATCH")
            return .json(["code": "BAD_BATCH", "reason": "body must be {\"batchId\", \"records\": [...]}"], status: .badRequest)
        }
        guard !records.isEmpty, records.count <= maxRecordsPerBatch else {
            count("BATCH_SIZE")
            return .json(
                ["code": "BATCH_SIZE", "reason": "a batch holds 1 to \(maxRecordsPerBatch) records, got \(records.count)"],
                status: .payloadTooLarge)
        }
        let fault = nextFault()
        switch fault {
        case .serverError(let status):
            count("FAULT_SERVER_ERROR")
            return .json(["code": "SERVER_ERROR", "reason": "internal error"], status: HTTPResponseStatus(statusCode: status))
        case .drop:
            count("FAULT_DROPPED")
            return .dropped
        case .throttle(let seconds):
            count("RATE_LIMITED")
            var response = SimulatorResponse.json(["code": "RATE_LIMITED", "reason": "too many batches"], status: .tooManyRequests)
            response.headers.replaceOrAdd(name: "retry-after", value: String(seconds))
            return response
        case .accept, .slow:
            break
        }
        let today = CalendarDate.today()
        let ids = records.map { ($0["recordId"] as? String) ?? "" }
        let results: [[String: String]] = state.withLockedValue { state in
            state.submissions.append(CreditFeedSubmission(batchID: batchID, recordIDs: ids, receivedAt: arrived))
            return records.map { apply($0, state: &state, today: today) }
        }
        var response = SimulatorResponse.json(["batchId": batchID, "results": results])
        if case .slow(let delay) = fault { response.delay = delay }
        return response
    }

    /// One record's result; changes the held records when accepted.
    private func apply(_ record: [String: Any], state: inout State, today: CalendarDate) -> [String: String] {
        let recordID = (record["recordId"] as? String) ?? ""
        func refuse(_ code: String, _ reason: String) -> [String: String] {
            state.rejected[code, default: 0] += 1
            return ["recordId": recordID, "status": "rejected", "code": code, "reason": reason]
        }
        guard !recordID.isEmpty else { return refuse("MISSING_FIELD", "recordId is required") }
        guard let itemID = record["itemId"] as? String, !itemID.isEmpty else {
            return refuse("MISSING_FIELD", "itemId is required")
        }
        guard let version = record["version"] as? Int, version >= 1 else {
            return refuse("MISSING_FIELD", "version must be a whole number from 1")
        }
        let contentHash = (record["contentHash"] as? String) ?? ""
        let operation = (record["operation"] as? String) ?? ""
        let type = (record["type"] as? String) ?? ""
        guard let fields = record["fields"] as? [String: String] else {
            return refuse("MISSING_FIELD", "fields must map field codes to text")
        }
        // A resend of a record that is still in effect changes nothing and gets the same answer.
        if let remoteID = state.accepted[recordID], let held = state.records[itemID], held.recordID == recordID,
            held.version == version, held.contentHash == contentHash
        {
            state.duplicates += 1
            return ["recordId": recordID, "status": "accepted", "code": "DUPLICATE", "reason": "already processed", "remoteId": remoteID]
        }
        let held = state.records[itemID]
        switch operation {
        case "add", "update":
            do throws(CreditFeedRecordRules.Refusal) {
                try CreditFeedRecordRules.check(type: type, fields: fields, today: today)
            } catch {
                return refuse(error.code, error.reason)
            }
            if operation == "add", let held, held.status == .active, held.recordID != recordID {
                return refuse("ALREADY_EXISTS", "an active record for \(itemID) exists; send an update (更正) instead")
            }
            if let held, held.status == .active, held.version > version {
                return refuse("STALE_VERSION", "the platform holds version \(held.version) of \(itemID); got \(version)")
            }
            if let held, held.type != type {
                return refuse("INVALID_TYPE", "\(itemID) is a \(held.type) record; got \(type)")
            }
            let remoteID = held?.remoteID ?? newRemoteID(type: type, state: &state)
            state.records[itemID] = CreditFeedRecord(
                remoteID: remoteID, itemID: itemID, type: type, version: version, contentHash: contentHash,
                recordID: recordID, fields: fields, status: .active, lastOperation: operation,
                revisions: (held?.revisions ?? 0) + 1)
            state.accepted[recordID] = remoteID
            return ["recordId": recordID, "status": "accepted", "code": "OK", "reason": "", "remoteId": remoteID]
        case "revoke":
            guard var held, held.status == .active || state.accepted[recordID] != nil else {
                return refuse("NOT_FOUND", "no active record for \(itemID)")
            }
            guard !(fields["BZ"] ?? "").isEmpty else {
                return refuse("MISSING_FIELD", "BZ (the revocation reason) is required to revoke")
            }
            if !state.ignoreRevoke.contains(itemID) {
                held.status = .revoked
                held.recordID = recordID
                held.lastOperation = operation
                held.fields["BZ"] = fields["BZ"]
                held.revisions += 1
                state.records[itemID] = held
            }
            state.accepted[recordID] = held.remoteID
            return ["recordId": recordID, "status": "accepted", "code": "OK", "reason": "", "remoteId": held.remoteID]
        default:
            return refuse("INVALID_OPERATION", "operation must be add, update or revoke, got \"\(operation)\"")
        }
    }

    private func newRemoteID(type: String, state: inout State) -> String {
        defer { state.nextRemoteID += 1 }
        let number = String(state.nextRemoteID)
        return type + String(repeating: "0", count: max(0, 8 - number.count)) + number
    }

    /// Active records, by remote id, a page at a time.
    private func listing(_ request: SimulatorRequest) -> SimulatorResponse {
        guard let page = Int(request.query["page"] ?? "1"), page >= 1,
            let pageSize = Int(request.query["pageSize"] ?? "100"), (1...1000).contains(pageSize)
        else {
            return .json(["code": "INVALID_PARAMETER", "reason": "page ≥ 1 and pageSize 1-1000"], status: .badRequest)
        }
        let active = state.withLockedValue { $0.records.values.filter { $0.status == .active } }
            .sorted { $0.remoteID < $1.remoteID }
        let slice = active.dropFirst((page - 1) * pageSize).prefix(pageSize)
        let records: [[String: Any]] = slice.map {
            [
                "remoteId": $0.remoteID, "itemId": $0.itemID, "version": $0.version, "contentHash": $0.contentHash,
                "type": $0.type, "recordId": $0.recordID,
            ]
        }
        return .json(["page": page, "pageSize": pageSize, "total": active.count, "records": records])
    }
}
