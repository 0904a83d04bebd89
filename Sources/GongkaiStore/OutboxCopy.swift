import Crypto
import Foundation
import GongkaiCore

/// One table of the outbox as `gongkai store copy` moves it: its columns in
/// one order both backends share, their types, and its key.
public enum OutboxTable: String, CaseIterable, Sendable, Codable {
    // Parents before children, the order the foreign keys need.
    case item
    case itemVersion = "item_version"
    case delivery
    case attempt
    case audit
    case channelState = "channel_state"
    /// The API's tokens (their hashes): moving an outbox must not lock its integrators out.
    case apiToken = "api_token"

    public enum ColumnType: Sendable { case text, integer, boolean, blob }

    public struct Column: Sendable {
        public let name: String
        public let type: ColumnType
    }

    public var columns: [Column] {
        func text(_ names: String...) -> [Column] { names.map { Column(name: $0, type: .text) } }
        func integer(_ names: String...) -> [Column] { names.map { Column(name: $0, type: .integer) } }
        switch self {
        case .item:
            return text("id", "kind", "category", "title") + integer("current_version")
                + text("content_hash", "review", "attribute") + integer("withdrawn_at") + text("withdrawn_reason")
                + integer("created_at", "updated_at") + text("due_on", "canonical_url", "related_to", "feedback_due_on")
        case .itemVersion:
            return text("item_id") + integer("version") + text("content_hash")
                + [Column(name: "document", type: .blob), Column(name: "public_document", type: .blob)]
                + text("submitted_by") + integer("created_at")
        case .delivery:
            return integer("id") + text("item_id", "channel_id", "state", "operation")
                + integer("wanted_version", "delivered_version") + [Column(name: "may_be_live", type: .boolean)]
                + text("remote_id", "remote_url") + integer("attempt_count", "failure_streak", "next_attempt_at")
                + text("last_error", "hold_reason", "trigger", "lease_owner") + integer("lease_expires_at", "updated_at")
        case .attempt:
            return integer("id", "delivery_id") + text("item_id", "channel_id") + integer("version")
                + text("operation", "trigger") + integer("started_at", "duration_ms", "http_status")
                + text("outcome", "error", "worker")
        case .audit:
            return integer("id", "at") + text("actor", "action", "item_id", "channel_id", "detail")
        case .channelState:
            return text("channel_id") + [Column(name: "paused", type: .boolean)] + text("reason")
                + integer("changed_at") + text("changed_by")
        case .apiToken:
            return text("id", "name", "role", "secret_hash") + integer("created_at", "revoked_at")
        }
    }

    /// The primary key's columns: the first one or two of ``columns``.
    public var keyCount: Int { self == .itemVersion ? 2 : 1 }

    /// Whether the key is a generated number (the target's sequence must move past it).
    public var hasGeneratedID: Bool { [.delivery, .attempt, .audit].contains(self) }

    public var columnList: String { columns.map(\.name).joined(separator: ", ") }
}

/// A column value in transit. Booleans travel as 0 and 1 (SQLite's own
/// spelling), so a row reads the same from either backend.
public enum CopyValue: Sendable, Hashable {
    case null
    case integer(Int64)
    case text(String)
    case blob([UInt8])
}

/// Rows of a store, read page by page in key order (text compared byte by
/// byte, so both backends list them in one order).
public protocol OutboxRowSource: Sendable {
    func rows(of table: OutboxTable, after key: [CopyValue]?, limit: Int) async throws -> [[CopyValue]]
}

/// Where a copy writes, inside one transaction.
public protocol OutboxRowSink: OutboxRowSource {
    func insert(_ rows: [[CopyValue]], into table: OutboxTable) async throws
    /// Moves generated-id sequences past the copied ids.
    func finishImport() async throws
}

/// A store that can receive a whole outbox atomically.
public protocol OutboxCopyTarget: Sendable {
    /// Runs `body` in one transaction: committed if it returns, rolled back if it throws.
    func withCopyTransaction<T: Sendable>(_ body: (any OutboxRowSink) async throws -> T) async throws -> T
}

/// The outcome of a copy, per table: what was read, what the target holds, and whether they agree.
public struct OutboxCopyReport: Sendable, Codable, Equatable {
    public struct Table: Sendable, Codable, Equatable {
        public var table: OutboxTable
        public var sourceRows: Int
        public var targetRows: Int
        /// SHA-256 over the rows in key order, as copied (leases cleared).
        public var sourceHash: String
        public var targetHash: String
        public var verified: Bool
    }

    public var tables: [Table]
    /// Deliveries that were being sent in the source: their leases were cleared and they are due again.
    public var leasesCleared: Int
    public var verified: Bool { tables.allSatisfy(\.verified) }
}

/// `gongkai store copy`: every row of every table, exactly, except that a
/// delivery being sent loses its lease and is due again (the rule of
/// `DeliveryRecord.released`), since no worker of the target holds it.
/// Verified inside the target's transaction by reading the rows back, so a
/// copy that does not match is rolled back and leaves nothing.
public enum OutboxCopy {
    public static let pageSize = 2_000

    public static func copy(
        from source: any OutboxRowSource, to target: any OutboxCopyTarget, allowNonEmpty: Bool, now: Int64
    ) async throws -> OutboxCopyReport {
        try await target.withCopyTransaction { sink in
            var nonEmpty: [OutboxTable] = []
            for table in OutboxTable.allCases where !(try await sink.rows(of: table, after: nil, limit: 1)).isEmpty {
                nonEmpty.append(table)
            }
            if !nonEmpty.isEmpty && !allowNonEmpty {
                throw GongkaiError(
                    .conflict,
                    "the target outbox is not empty (\(nonEmpty.map(\.rawValue).joined(separator: ", ")) hold rows); copy into an empty database, or pass --allow-non-empty to add to it",
                    field: "to")
            }
            var results: [OutboxCopyReport.Table] = []
            var cleared = 0
            for table in OutboxTable.allCases {
                var hash = RowHasher()
                // Only needed to verify when other rows are already there.
                var copiedKeys: Set<[CopyValue]>? = nonEmpty.isEmpty ? nil : []
                var after: [CopyValue]?
                while true {
                    var page = try await source.rows(of: table, after: after, limit: pageSize)
                    guard let last = page.last else { break }
                    after = Array(last.prefix(table.keyCount))
                    if table == .delivery {
                        for index in page.indices where clearLease(&page[index], now: now) { cleared += 1 }
                    }
                    for row in page {
                        hash.add(row)
                        copiedKeys?.insert(Array(row.prefix(table.keyCount)))
                    }
                    do {
                        try await sink.insert(page, into: table)
                    } catch let error as GongkaiError {
                        var error = error
                        error.message = "cannot copy \(table.rawValue) rows: \(error.message); nothing was copied"
                        throw error
                    }
                }
                var readBack = RowHasher()
                after = nil
                while true {
                    let page = try await sink.rows(of: table, after: after, limit: pageSize)
                    guard let last = page.last else { break }
                    after = Array(last.prefix(table.keyCount))
                    for row in page where copiedKeys?.contains(Array(row.prefix(table.keyCount))) ?? true {
                        readBack.add(row)
                    }
                }
                results.append(
                    .init(
                        table: table, sourceRows: hash.rows, targetRows: readBack.rows, sourceHash: hash.hex,
                        targetHash: readBack.hex, verified: hash.rows == readBack.rows && hash.hex == readBack.hex))
            }
            try await sink.finishImport()
            let report = OutboxCopyReport(tables: results, leasesCleared: cleared)
            if let bad = results.first(where: { !$0.verified }) {
                throw GongkaiError(
                    .store,
                    "the copy of \(bad.table.rawValue) does not match its source (\(bad.sourceRows) rows read, \(bad.targetRows) written; hashes \(bad.sourceHash.prefix(12)) and \(bad.targetHash.prefix(12))); nothing was copied",
                    field: "to")
            }
            return report
        }
    }

    /// Hashes every table of a store the way ``copy`` does, for checking a copy later.
    public static func fingerprint(_ source: any OutboxRowSource) async throws -> [OutboxTable: (rows: Int, hash: String)] {
        var result: [OutboxTable: (rows: Int, hash: String)] = [:]
        for table in OutboxTable.allCases {
            var hash = RowHasher()
            var after: [CopyValue]?
            while true {
                let page = try await source.rows(of: table, after: after, limit: pageSize)
                guard let last = page.last else { break }
                after = Array(last.prefix(table.keyCount))
                for row in page { hash.add(row) }
            }
            result[table] = (hash.rows, hash.hex)
        }
        return result
    }

    /// A delivery row that was `sending` becomes due again without its lease.
    static func clearLease(_ row: inout [CopyValue], now: Int64) -> Bool {
        let names = OutboxTable.delivery.columns.map(\.name)
        func index(_ name: String) -> Int { names.firstIndex(of: name)! }
        guard row[index("state")] == .text("sending") else { return false }
        if case .integer(let count) = row[index("attempt_count")] { row[index("attempt_count")] = .integer(max(0, count - 1)) }
        let failing = { if case .integer(let streak) = row[index("failure_streak")] { return streak > 0 } else { return false } }()
        row[index("state")] = .text(failing ? "retrying" : "pending")
        row[index("lease_owner")] = .null
        row[index("lease_expires_at")] = .null
        row[index("next_attempt_at")] = .integer(now)
        row[index("updated_at")] = .integer(now)
        return true
    }
}

/// SHA-256 over rows in a self-delimiting encoding (a tag and a length before each value).
struct RowHasher {
    private var hasher = SHA256()
    private(set) var rows = 0

    mutating func add(_ row: [CopyValue]) {
        rows += 1
        for value in row {
            switch value {
            case .null: hasher.update(data: [0])
            case .integer(let number): hasher.update(data: [1] + withUnsafeBytes(of: number.bigEndian, Array.init))
            case .text(let text): put(2, Array(text.utf8))
            case .blob(let bytes): put(3, bytes)
            }
        }
        hasher.update(data: [0xFF])
    }

    private mutating func put(_ tag: UInt8, _ bytes: [UInt8]) {
        hasher.update(data: [tag] + withUnsafeBytes(of: UInt64(bytes.count).bigEndian, Array.init))
        hasher.update(data: bytes)
    }

    var hex: String {
        var copy = hasher
        return copy.finalize().map { String(format: "%02x", $0) }.joined()
    }
}
