import Foundation
import GRDB
import GongkaiChannels
import GongkaiCore
import GongkaiStore
import NIOCore

/// One channel's listing, spilled to a temporary SQLite file while reconcile
/// compares it with the outbox, so that memory holds a page of it, not all of it.
///
/// The platforms list in their own order, so the outbox (read in item id
/// order) cannot be merged with the listing as it comes. Entries are found by
/// item id, else by remote id, as the outbox's deliveries match them, and are
/// taken out; what is left is unknown to the outbox, read back in listing
/// order. Both keys follow a map's rules: a later entry with the same key
/// replaces the earlier one in that key, and taking an entry drops both its keys
/// (an earlier duplicate is then left over, and listed as unknown).
///
/// The file is scratch: no journal, no fsync, a small page cache; ``remove()``
/// deletes it, and the caller must call it on every path out.
final class ListingSpill {
    /// The file's path (in the directory given, a fresh name per channel).
    let path: String
    private let queue: DatabaseQueue
    /// Entries spilled so far.
    private(set) var count = 0

    /// Creates the file and its tables in `directory`.
    init(directory: URL) throws {
        path = directory.appendingPathComponent("gongkai-reconcile-\(UUID().uuidString).sqlite").path
        var configuration = Configuration()
        configuration.label = "gongkai.reconcile.spill"
        configuration.prepareDatabase { db in
            // The default page cache (2 MiB) would do; stated so that it is a decision, not an accident.
            try db.execute(sql: "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA cache_size = -2048")
        }
        do {
            queue = try DatabaseQueue(path: path, configuration: configuration)
            try queue.write { db in
                try db.execute(
                    sql: """
                        CREATE TABLE listing (
                            position INTEGER PRIMARY KEY, remote_id TEXT NOT NULL, item_id TEXT, version INTEGER,
                            content_hash TEXT, url TEXT, title TEXT);
                        CREATE TABLE by_item (item_id TEXT PRIMARY KEY, position INTEGER NOT NULL) WITHOUT ROWID;
                        CREATE TABLE by_remote (remote_id TEXT PRIMARY KEY, position INTEGER NOT NULL) WITHOUT ROWID;
                        """)
            }
        } catch {
            try? FileManager.default.removeItem(atPath: path)
            throw Self.failure("cannot create the reconcile spill file at \(path)", error)
        }
    }

    /// Closes the file and deletes it; safe to call more than once.
    func remove() {
        try? queue.close()
        try? FileManager.default.removeItem(atPath: path)
    }

    /// Reads `adapter`'s whole listing into the file, a page at a time.
    /// `held` gets the number of entries in memory after each page.
    func load(
        _ adapter: any ChannelAdapter, pageTimeout: Int64, held: (@Sendable (Int) -> Void)?, progress: (Int) -> Void
    ) async throws {
        var cursor: String?
        var pages = 0
        repeat {
            try Task.checkCancellation()
            let page = try await adapter.list(cursor: cursor, deadline: .now() + .milliseconds(pageTimeout))
            held?(page.entries.count)
            try await insert(page.entries)
            cursor = page.nextCursor
            pages += 1
            if pages % 50 == 0 { progress(count) }
        } while cursor != nil
    }

    /// Adds entries after those already spilled, in listing order.
    func insert(_ entries: [ChannelListingEntry]) async throws {
        let first = count
        try await spilled("write the listing") { db in
            let listing = try SQLiteStep(
                db,
                sql: """
                    INSERT INTO listing (position, remote_id, item_id, version, content_hash, url, title)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    """)
            let byItem = try SQLiteStep(db, sql: "INSERT OR REPLACE INTO by_item (item_id, position) VALUES (?, ?)")
            let byRemote = try SQLiteStep(db, sql: "INSERT OR REPLACE INTO by_remote (remote_id, position) VALUES (?, ?)")
            for (offset, entry) in entries.enumerated() {
                let position = first + offset
                listing.bind(1, position)
                listing.bind(2, entry.remoteID)
                listing.bind(3, entry.itemID)
                listing.bind(4, entry.version)
                listing.bind(5, entry.contentHash)
                listing.bind(6, entry.url)
                listing.bind(7, entry.title)
                try listing.run()
                if let itemID = entry.itemID {
                    byItem.bind(1, itemID)
                    byItem.bind(2, position)
                    try byItem.run()
                }
                byRemote.bind(1, entry.remoteID)
                byRemote.bind(2, position)
                try byRemote.run()
            }
        }
        count += entries.count
    }

    /// The entry each delivery matches (by item id, else by remote id), taken
    /// out of the file; nil where none does. One query for the whole page, then
    /// the page's takes in order, as one at a time would make them.
    func take(_ deliveries: [(itemID: String, remoteID: String?)]) async throws -> [ChannelListingEntry?] {
        let itemIDs = try Self.jsonArray(deliveries.map(\.itemID))
        let remoteIDs = try Self.jsonArray(deliveries.compactMap(\.remoteID))
        return try await spilled("read the listing") { db in
            var byItem: [String: Int] = [:]
            var byRemote: [String: Int] = [:]
            var entries: [Int: ChannelListingEntry] = [:]
            let lookup = try SQLiteStep(
                db,
                sql: """
                    SELECT 0, k.item_id, \(Self.columns) FROM by_item k JOIN listing l ON l.position = k.position
                    WHERE k.item_id IN (SELECT value FROM json_each(?))
                    UNION ALL
                    SELECT 1, k.remote_id, \(Self.columns) FROM by_remote k JOIN listing l ON l.position = k.position
                    WHERE k.remote_id IN (SELECT value FROM json_each(?))
                    """)
            lookup.bind(1, itemIDs)
            lookup.bind(2, remoteIDs)
            while try lookup.step() {
                let (position, entry) = Self.entry(lookup, from: 2)
                entries[position] = entry
                if lookup.int(0) == 0 { byItem[lookup.string(1)] = position } else { byRemote[lookup.string(1)] = position }
            }
            let dropEntry = try SQLiteStep(db, sql: "DELETE FROM listing WHERE position = ?")
            let dropItem = try SQLiteStep(db, sql: "DELETE FROM by_item WHERE item_id = ?")
            let dropRemote = try SQLiteStep(db, sql: "DELETE FROM by_remote WHERE remote_id = ?")
            var taken: [ChannelListingEntry?] = []
            taken.reserveCapacity(deliveries.count)
            for delivery in deliveries {
                guard let position = byItem[delivery.itemID] ?? delivery.remoteID.flatMap({ byRemote[$0] }),
                    let entry = entries.removeValue(forKey: position)
                else {
                    taken.append(nil)
                    continue
                }
                dropEntry.bind(1, position)
                try dropEntry.run()
                if let itemID = entry.itemID {
                    byItem[itemID] = nil
                    dropItem.bind(1, itemID)
                    try dropItem.run()
                }
                byRemote[entry.remoteID] = nil
                dropRemote.bind(1, entry.remoteID)
                try dropRemote.run()
                taken.append(entry)
            }
            return taken
        }
    }

    /// Up to `limit` entries not taken, in listing order, after the position `after` (nil: from the start).
    func remaining(after: Int?, limit: Int) async throws -> [(position: Int, entry: ChannelListingEntry)] {
        try await spilled("read the listing") { db in
            let rest = try SQLiteStep(
                db, sql: "SELECT \(Self.columns) FROM listing l WHERE l.position > ? ORDER BY l.position LIMIT ?")
            rest.bind(1, after ?? -1)
            rest.bind(2, limit)
            var found: [(position: Int, entry: ChannelListingEntry)] = []
            while try rest.step() { found.append(Self.entry(rest, from: 0)) }
            return found
        }
    }

    private static let columns = "l.position, l.remote_id, l.item_id, l.version, l.content_hash, l.url, l.title"

    private static func entry(_ row: borrowing SQLiteStep, from first: Int32) -> (position: Int, entry: ChannelListingEntry) {
        (
            row.int(first),
            ChannelListingEntry(
                remoteID: row.string(first + 1), itemID: row.optionalString(first + 2), version: row.optionalInt(first + 3),
                contentHash: row.optionalString(first + 4), url: row.optionalString(first + 5),
                title: row.optionalString(first + 6))
        )
    }

    private static func jsonArray(_ values: [String]) throws -> String {
        String(decoding: try JSONEncoder().encode(values), as: UTF8.self)
    }

    /// One transaction on the file; SQLite's errors become the store error they are.
    private func spilled<T: Sendable>(_ doing: String, _ body: @escaping @Sendable (Database) throws -> T) async throws
        -> T
    {
        do {
            return try await queue.write(body)
        } catch let error as CancellationError {
            throw error
        } catch {
            throw Self.failure("cannot \(doing) in the reconcile spill file at \(path)", error)
        }
    }

    private static func failure(_ message: String, _ error: any Error) -> GongkaiError {
        GongkaiError(.store, "\(message): \(error)")
    }
}
