import Foundation
import GongkaiCore
import GRDB
import PostgresNIO

/// Which daemon sends to a channel that must have one sender at a time.
///
/// Rate limits, a robot's send window, a platform's per-day quota and an
/// access token are kept by the process that sends; with several daemons
/// each would count only its own sends. Such a channel is sent to by the
/// daemon holding its lease, renewed while it runs and released when it
/// stops; if it dies, another takes over once the lease has expired.
public struct ChannelLease: Sendable, Equatable, Codable {
    public var channelID: String
    public var owner: String
    public var acquiredAt: Int64
    public var expiresAt: Int64

    public init(channelID: String, owner: String, acquiredAt: Int64, expiresAt: Int64) {
        self.channelID = channelID
        self.owner = owner
        self.acquiredAt = acquiredAt
        self.expiresAt = expiresAt
    }
}

/// A store that can hand out channel leases (both backends).
public protocol ChannelLeasing: Sendable {
    /// Takes or renews the lease of `channelID` for `owner` unless another owner
    /// holds it unexpired; returns whoever holds it afterwards.
    func takeChannel(_ channelID: String, owner: String, leaseMillis: Int64, now: Int64) async throws -> ChannelLease
    /// Gives the lease up if `owner` holds it, so that another daemon need not wait for it to expire.
    func releaseChannel(_ channelID: String, owner: String) async throws
    /// Every channel lease, expired ones included (`channels list` shows who sends).
    func channelLeases() async throws -> [ChannelLease]
}

/// An open circuit breaker as recorded for every daemon: who opened it and until when.
public struct ChannelBreakerState: Sendable, Equatable, Codable {
    public var channelID: String
    public var openedBy: String
    public var openedAt: Int64
    public var openUntil: Int64

    public init(channelID: String, openedBy: String, openedAt: Int64, openUntil: Int64) {
        self.channelID = channelID
        self.openedBy = openedBy
        self.openedAt = openedAt
        self.openUntil = openUntil
    }
}

/// A store that shares circuit breakers between daemons (both backends): a
/// platform that is down for one daemon is down for all, and `channels list`
/// says which daemon found it so.
public protocol ChannelBreakerSharing: Sendable {
    /// Records that `openedBy`'s breaker for `channelID` opened at `now` until `openUntil`.
    func openBreaker(_ channelID: String, openedBy: String, openUntil: Int64, now: Int64) async throws
    /// Clears the record: a daemon has seen the platform answer again.
    func closeBreaker(_ channelID: String) async throws
    /// Every recorded breaker, expired ones included.
    func openBreakers() async throws -> [ChannelBreakerState]
}

enum ChannelBreakerSQL {
    static let open = """
        INSERT INTO channel_breaker (channel_id, opened_by, opened_at, open_until) VALUES ($1, $2, $3, $4)
        ON CONFLICT (channel_id) DO UPDATE SET opened_by = excluded.opened_by, opened_at = excluded.opened_at,
            open_until = excluded.open_until
        """
    static let close = "DELETE FROM channel_breaker WHERE channel_id = $1"
    static let all = "SELECT channel_id, opened_by, opened_at, open_until FROM channel_breaker ORDER BY channel_id"
}

/// The statement both backends run: renew our own lease, or take one that has expired.
enum ChannelLeaseSQL {
    static let take = """
        INSERT INTO channel_lease (channel_id, owner, acquired_at, expires_at) VALUES ($1, $2, $3, $4)
        ON CONFLICT (channel_id) DO UPDATE SET
            owner = excluded.owner, expires_at = excluded.expires_at,
            acquired_at = CASE WHEN channel_lease.owner = excluded.owner THEN channel_lease.acquired_at
                ELSE excluded.acquired_at END
        WHERE channel_lease.owner = excluded.owner OR channel_lease.expires_at <= excluded.acquired_at
        """
    static let holder = "SELECT channel_id, owner, acquired_at, expires_at FROM channel_lease WHERE channel_id = $1"
    static let release = "DELETE FROM channel_lease WHERE channel_id = $1 AND owner = $2"
    static let all = "SELECT channel_id, owner, acquired_at, expires_at FROM channel_lease ORDER BY channel_id"
}

extension SQLiteOutboxStore: ChannelLeasing {
    public func takeChannel(_ channelID: String, owner: String, leaseMillis: Int64, now: Int64) async throws
        -> ChannelLease
    {
        do {
            return try await writer.write { db in
                try db.execute(sql: ChannelLeaseSQL.take, arguments: [channelID, owner, now, now + leaseMillis])
                let row = try Row.fetchOne(db, sql: ChannelLeaseSQL.holder, arguments: [channelID])!
                return ChannelLease(channelID: row[0], owner: row[1], acquiredAt: row[2], expiresAt: row[3])
            }
        } catch {
            throw GongkaiError(.store, "cannot take the channel lease: \(error)", channel: channelID)
        }
    }

    public func releaseChannel(_ channelID: String, owner: String) async throws {
        do {
            try await writer.write { db in try db.execute(sql: ChannelLeaseSQL.release, arguments: [channelID, owner]) }
        } catch {
            throw GongkaiError(.store, "cannot release the channel lease: \(error)", channel: channelID)
        }
    }

    public func channelLeases() async throws -> [ChannelLease] {
        do {
            return try await writer.read { db in
                try Row.fetchAll(db, sql: ChannelLeaseSQL.all).map {
                    ChannelLease(channelID: $0[0], owner: $0[1], acquiredAt: $0[2], expiresAt: $0[3])
                }
            }
        } catch {
            throw GongkaiError(.store, "cannot read the channel leases: \(error)")
        }
    }
}

extension SQLiteOutboxStore: ChannelBreakerSharing {
    public func openBreaker(_ channelID: String, openedBy: String, openUntil: Int64, now: Int64) async throws {
        do {
            try await writer.write { db in
                try db.execute(sql: ChannelBreakerSQL.open, arguments: [channelID, openedBy, now, max(now, openUntil)])
            }
        } catch {
            throw GongkaiError(.store, "cannot record the open breaker: \(error)", channel: channelID)
        }
    }

    public func closeBreaker(_ channelID: String) async throws {
        do {
            try await writer.write { db in try db.execute(sql: ChannelBreakerSQL.close, arguments: [channelID]) }
        } catch {
            throw GongkaiError(.store, "cannot clear the breaker: \(error)", channel: channelID)
        }
    }

    public func openBreakers() async throws -> [ChannelBreakerState] {
        do {
            return try await writer.read { db in
                try Row.fetchAll(db, sql: ChannelBreakerSQL.all).map {
                    ChannelBreakerState(channelID: $0[0], openedBy: $0[1], openedAt: $0[2], openUntil: $0[3])
                }
            }
        } catch {
            throw GongkaiError(.store, "cannot read the breakers: \(error)")
        }
    }
}

extension PostgresOutboxStore: ChannelBreakerSharing {
    public func openBreaker(_ channelID: String, openedBy: String, openUntil: Int64, now: Int64) async throws {
        try await translated("record the open breaker", channel: channelID) {
            _ = try await rows(
                PostgresQuery(
                    unsafeSQL: ChannelBreakerSQL.open, binds: try Self.bindings(channelID, openedBy, now, max(now, openUntil))))
        }
    }

    public func closeBreaker(_ channelID: String) async throws {
        try await translated("clear the breaker", channel: channelID) {
            _ = try await rows(PostgresQuery(unsafeSQL: ChannelBreakerSQL.close, binds: try Self.bindings(channelID)))
        }
    }

    public func openBreakers() async throws -> [ChannelBreakerState] {
        try await translated("read the breakers") {
            try await rows(PostgresQuery(unsafeSQL: ChannelBreakerSQL.all)).map { row in
                let (channel, by, at, until) = try row.decode((String, String, Int64, Int64).self)
                return ChannelBreakerState(channelID: channel, openedBy: by, openedAt: at, openUntil: until)
            }
        }
    }
}

extension PostgresOutboxStore: ChannelLeasing {
    public func takeChannel(_ channelID: String, owner: String, leaseMillis: Int64, now: Int64) async throws
        -> ChannelLease
    {
        try await translated("take the channel lease", channel: channelID) {
            try await leased { connection in
                _ = try await connection.checkedQuery(
                    PostgresQuery(
                        unsafeSQL: ChannelLeaseSQL.take,
                        binds: try Self.bindings(channelID, owner, now, now + leaseMillis)), logger: logger)
                let rows = try await connection.checkedQuery(
                    PostgresQuery(unsafeSQL: ChannelLeaseSQL.holder, binds: try Self.bindings(channelID)), logger: logger
                ).collect()
                guard let row = rows.first else {
                    throw GongkaiError(.store, "the channel lease vanished as it was taken", channel: channelID)
                }
                let (channel, holder, acquired, expires) = try row.decode((String, String, Int64, Int64).self)
                return ChannelLease(channelID: channel, owner: holder, acquiredAt: acquired, expiresAt: expires)
            }
        }
    }

    public func releaseChannel(_ channelID: String, owner: String) async throws {
        try await translated("release the channel lease", channel: channelID) {
            _ = try await rows(PostgresQuery(unsafeSQL: ChannelLeaseSQL.release, binds: try Self.bindings(channelID, owner)))
        }
    }

    public func channelLeases() async throws -> [ChannelLease] {
        try await translated("read the channel leases") {
            try await rows(PostgresQuery(unsafeSQL: ChannelLeaseSQL.all)).map { row in
                let (channel, holder, acquired, expires) = try row.decode((String, String, Int64, Int64).self)
                return ChannelLease(channelID: channel, owner: holder, acquiredAt: acquired, expiresAt: expires)
            }
        }
    }

    static func bindings(_ values: any PostgresEncodable & Sendable...) throws -> PostgresBindings {
        var bindings = PostgresBindings()
        for value in values { try bindings.append(value) }
        return bindings
    }
}
