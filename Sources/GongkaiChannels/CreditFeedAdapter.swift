import Crypto
import Foundation
public import GongkaiCore
public import NIOCore
import NIOHTTP1

/// The credit-sharing feed (信用中国 双公示): licence (XK_*) and penalty (CF_*)
/// records in the national field codes, submitted in batches with a result
/// per record.
///
/// The feed's interface is not published; this adapter speaks the assumed
/// interface below (the simulator enforces the same), chosen strictly:
///
///     POST <endpoint>/records/batch        Authorization: Bearer <apiToken>
///     {"batchId": "b-<sha256 of the record ids, 24 hex>",
///      "records": [{"recordId": <idempotency key>, "itemId": ..., "version": n,
///                   "contentHash": ..., "operation": "add" | "update" | "revoke",
///                   "type": "CF" | "XK", "fields": {<national code>: <text>}}]}
///     → 200 {"batchId": ..., "results": [{"recordId", "status": "accepted" | "rejected",
///                                         "code", "reason", "remoteId"}]}
///     GET <endpoint>/records?page=&pageSize=
///     → 200 {"page", "pageSize", "total", "records": [{"remoteId", "itemId", "version",
///                                                      "contentHash", "type", "recordId"}]}
///
/// Version 1 is an `add`; a later version is an `update` (更正 record); a
/// withdrawal is a `revoke` record whose BZ carries the reason. A rejected
/// record is permanent with the platform's code and reason; a whole-batch
/// 5xx or transport failure leaves every record retryable (the platform
/// dedupes by `recordId`, so the resend cannot duplicate); 401/403 is
/// permanent for all (credentials). The channel must be `audience:
/// government`: the feed gets the full ID number.
public struct CreditFeedAdapter: ChannelAdapter {
    public let channelID: String
    public var capabilities: ChannelCapabilities { ChannelDefinition.Kind.creditFeed.capabilities }
    public let batchSize: Int
    private let endpoint: String
    private let apiToken: String
    private let listPageSize: Int
    private let http: PlatformHTTP
    private let clock: any WallClock
    private let pacer: BatchPacer

    /// Options this kind reads.
    public static let allowedOptions: Set<String> = ["batchSize", "batchInterval", "listPageSize"]
    /// Credentials this kind reads.
    public static let allowedCredentials: Set<String> = ["apiToken"]

    /// - Parameter http: owned from now on; ``shutdown()`` shuts it down.
    public init(
        definition: ChannelDefinition, apiToken: String, http: PlatformHTTP, batchSize: Int = 100,
        batchInterval: Int64 = 0, listPageSize: Int = 100, clock: any WallClock = SystemWallClock()
    ) {
        self.channelID = definition.id
        var endpoint = definition.endpoint
        while endpoint.hasSuffix("/") { endpoint.removeLast() }
        self.endpoint = endpoint
        self.apiToken = apiToken
        self.http = http
        self.batchSize = batchSize
        self.listPageSize = listPageSize
        self.clock = clock
        self.pacer = BatchPacer(interval: batchInterval, clock: clock)
    }

    /// Validates the channel file's options and credentials and builds the adapter.
    public static func make(_ definition: ChannelDefinition, environment: [String: String], clock: any WallClock)
        throws(GongkaiError) -> CreditFeedAdapter
    {
        try definition.rejectUnknownOptions(allowed: allowedOptions)
        try definition.rejectUnknownCredentials(allowed: allowedCredentials)
        guard definition.audience == .government else {
            throw GongkaiError(
                .configuration,
                "\(definition.source): a credit-feed channel must have `audience: government`: "
                    + "the feed is a government-to-government exchange and needs the full ID number",
                channel: definition.id, field: "audience")
        }
        guard definition.endpoint.hasPrefix("https://") || definition.endpoint.hasPrefix("http://") else {
            throw GongkaiError(
                .configuration, "\(definition.source): endpoint must be an http(s) URL", channel: definition.id,
                field: "endpoint")
        }
        let batchSize = try definition.intOption("batchSize", default: 100, range: 1...1000)
        let interval = try definition.durationOption("batchInterval", default: 0)
        let listPageSize = try definition.intOption("listPageSize", default: 100, range: 1...1000)
        let token = try definition.credential("apiToken", environment: environment)
        return CreditFeedAdapter(
            definition: definition, apiToken: token,
            http: PlatformHTTP(client: ChannelAdapterFactory.httpClient(for: definition), channelID: definition.id),
            batchSize: batchSize, batchInterval: interval, listPageSize: listPageSize, clock: clock)
    }

    // MARK: Delivery

    public func deliver(_ request: DeliveryRequest, deadline: NIODeadline) async throws(DeliveryError)
        -> DeliveryReceipt
    {
        guard let result = await deliverBatch([request], deadline: deadline).first else {
            throw DeliveryError(SendFailure(permanent: false, message: "no result"), itemID: request.itemID, channelID: channelID)
        }
        return try result.get()
    }

    public func deliverBatch(_ requests: [DeliveryRequest], deadline: NIODeadline) async
        -> [Result<DeliveryReceipt, DeliveryError>]
    {
        var results = [Result<DeliveryReceipt, DeliveryError>?](repeating: nil, count: requests.count)
        var records: [CreditFeedWire.Record] = []
        var sentIndex: [String: Int] = [:]
        for (index, request) in requests.enumerated() {
            do throws(DeliveryError) {
                records.append(try Self.record(for: request))
                sentIndex[request.idempotencyKey] = index
            } catch {
                results[index] = .failure(error)
            }
        }
        if !records.isEmpty {
            let outcome = await submit(records, requests: requests, deadline: deadline)
            for (key, result) in outcome {
                if let index = sentIndex[key] { results[index] = result }
            }
        }
        return results.enumerated().map { index, result in
            result
                ?? .failure(
                    DeliveryError(
                        SendFailure(permanent: false, message: "the credit platform gave no result for this record"),
                        httpStatus: 200, itemID: requests[index].itemID, channelID: channelID))
        }
    }

    /// One batch request; results by record id (missing ones are left to the caller).
    private func submit(_ records: [CreditFeedWire.Record], requests: [DeliveryRequest], deadline: NIODeadline) async
        -> [String: Result<DeliveryReceipt, DeliveryError>]
    {
        let keys = records.map(\.recordID)
        let requestOf = Dictionary(requests.map { ($0.idempotencyKey, $0) }, uniquingKeysWith: { first, _ in first })
        func all(_ error: DeliveryError) -> [String: Result<DeliveryReceipt, DeliveryError>] {
            Dictionary(
                keys.map { key in
                    var error = error
                    error.itemID = requestOf[key]?.itemID
                    return (key, .failure(error))
                }, uniquingKeysWith: { first, _ in first })
        }
        let batchID = Self.batchID(keys)
        let body = PlatformHTTP.jsonBody(CreditFeedWire.Batch(batchID: batchID, records: records))
        // The slot is taken only now, with the body ready, so it marks the moment the batch leaves.
        do throws(BatchPacer.SlotUnavailable) {
            try await pacer.waitForSlot(deadline: deadline)
        } catch {
            // Our own spacing of batches, not the platform's answer: the wait spends no attempt.
            return all(
                DeliveryError.deferred(
                    retryAfter: error.waitMilliseconds,
                    reason: "the batch interval (\(pacer.interval) ms) would pass the deadline; not sent",
                    channelID: channelID))
        }
        let response: PlatformHTTP.Response
        do throws(DeliveryError) {
            response = try await http.send(
                .POST, endpoint + "/records/batch", headers: [("authorization", "Bearer " + apiToken)], body: body,
                deadline: deadline)
        } catch {
            return all(error)
        }
        guard response.status == 200 else { return all(batchError(response)) }
        guard let items = response.decoded(CreditFeedWire.BatchResult.self)?.results else {
            return all(
                DeliveryError(
                    SendFailure(permanent: false, message: "the credit platform answered 200 without per-record results"),
                    httpStatus: 200, channelID: channelID))
        }
        var outcome: [String: Result<DeliveryReceipt, DeliveryError>] = [:]
        for item in items {
            guard let key = item.recordID, let request = requestOf[key] else { continue }
            outcome[key] = recordResult(item, for: request)
        }
        return outcome
    }

    private func recordResult(_ item: CreditFeedWire.BatchResult.RecordResult, for request: DeliveryRequest)
        -> Result<DeliveryReceipt, DeliveryError>
    {
        let remoteID = item.remoteID ?? request.idempotencyKey
        if item.status == "accepted" {
            return .success(DeliveryReceipt(remoteID: remoteID, httpStatus: 200))
        }
        let code = item.code ?? "UNKNOWN"
        let reason = item.reason ?? "no reason given"
        // Revoking what the platform does not hold leaves the wanted state: nothing shown.
        if code == "NOT_FOUND", request.operation == .withdraw {
            return .success(DeliveryReceipt(remoteID: nil, httpStatus: 200))
        }
        return .failure(
            DeliveryError(
                SendFailure(permanent: true, message: "record rejected by the credit platform (\(code)): \(reason)"),
                httpStatus: 200, itemID: request.itemID, channelID: channelID))
    }

    /// A whole-batch refusal: credentials are permanent for every record, the rest as HTTP says.
    private func batchError(_ response: PlatformHTTP.Response) -> DeliveryError {
        let answer = response.decoded(CreditFeedWire.Failure.self)
        let detail = [answer?.code, answer?.reason].compactMap { $0 }.joined(separator: ": ")
        if response.status == 401 || response.status == 403 {
            return DeliveryError(
                SendFailure(
                    permanent: true,
                    message: "the credit platform refused the credentials (HTTP \(response.status)"
                        + (detail.isEmpty ? "" : ", \(detail)") + "); check credentials.apiToken"),
                httpStatus: response.status, channelID: channelID)
        }
        return PlatformHTTP.classify(
            status: response.status, retryAfter: response.headers.first(name: "retry-after"),
            detail: detail.isEmpty ? response.excerpt : detail, itemID: nil, channelID: channelID, now: clock.now())
    }

    /// The record for one request: operation from the version and the withdrawal, fields from the item.
    static func record(for request: DeliveryRequest) throws(DeliveryError) -> CreditFeedWire.Record {
        let item = try ChannelText.item(from: request)
        var record: CreditRecord
        do throws(GongkaiError) {
            record = try CreditRecordMapper.record(for: item)
        } catch {
            throw DeliveryError(
                SendFailure(permanent: true, message: "cannot build the 双公示 record: \(error.message)"),
                itemID: request.itemID, channelID: request.channelID)
        }
        let operation: CreditFeedWire.Record.Operation
        switch request.operation {
        case .publish:
            operation = request.version > 1 ? .update : .add
        case .withdraw:
            operation = .revoke
            let reason = request.withdrawReason.flatMap { $0.isEmpty ? nil : $0 } ?? "信息撤回"
            record.fields[CreditRecord.remarksField] = "撤销：" + reason
        }
        return CreditFeedWire.Record(
            recordID: request.idempotencyKey, itemID: request.itemID, version: request.version,
            contentHash: request.contentHash, operation: operation, type: record.type.rawValue, fields: record.fields)
    }

    /// Stable for the same records, so a resent batch carries the same id.
    static func batchID(_ keys: [String]) -> String {
        let digest = SHA256.hash(data: Data(keys.joined(separator: "\n").utf8))
        return "b-" + digest.prefix(12).map { String(format: "%02x", $0) }.joined()
    }

    // MARK: Listing and checks

    public func list(cursor: String?, deadline: NIODeadline) async throws(DeliveryError) -> ChannelListingPage {
        let page = cursor.flatMap(Int.init) ?? 1
        let response = try await http.send(
            .GET, endpoint + "/records?page=\(page)&pageSize=\(listPageSize)",
            headers: [("authorization", "Bearer " + apiToken)], deadline: deadline)
        guard response.status == 200 else { throw batchError(response) }
        guard let listing = response.decoded(CreditFeedWire.Listing.self), let records = listing.records else {
            throw DeliveryError(
                SendFailure(permanent: false, message: "the credit platform's listing is not the expected JSON"),
                httpStatus: 200, channelID: channelID)
        }
        let entries = records.compactMap { record -> ChannelListingEntry? in
            guard let remoteID = record.remoteID else { return nil }
            return ChannelListingEntry(
                remoteID: remoteID, itemID: record.itemID, version: record.version, contentHash: record.contentHash)
        }
        let total = listing.total ?? 0
        return ChannelListingPage(entries: entries, nextCursor: page * listPageSize < total ? String(page + 1) : nil)
    }

    public func check(deadline: NIODeadline) async -> [ChannelCheck] {
        var checks = [
            ChannelCheck(
                name: "configuration", passed: true,
                detail: "batchSize \(batchSize), batchInterval \(pacer.interval) ms, audience government")
        ]
        do throws(DeliveryError) {
            let response = try await http.send(
                .GET, endpoint + "/records?page=1&pageSize=1", headers: [("authorization", "Bearer " + apiToken)],
                deadline: deadline)
            checks.append(ChannelCheck(name: "reachability", passed: true, detail: "the platform answered HTTP \(response.status)"))
            switch response.status {
            case 200:
                checks.append(ChannelCheck(name: "credentials", passed: true, detail: "the listing accepted credentials.apiToken"))
            case 401, 403:
                checks.append(
                    ChannelCheck(
                        name: "credentials", passed: false,
                        detail: "the platform refused credentials.apiToken (HTTP \(response.status))"))
            default:
                checks.append(
                    ChannelCheck(name: "credentials", passed: false, detail: "the listing answered HTTP \(response.status)"))
            }
        } catch {
            checks.append(ChannelCheck(name: "reachability", passed: false, detail: error.failure.message))
        }
        return checks
    }

    public func shutdown() async {
        await http.shutdown()
    }
}
