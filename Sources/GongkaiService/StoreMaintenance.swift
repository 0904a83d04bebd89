import Foundation
import GongkaiAudit
public import GongkaiCore
public import GongkaiStore
import Logging

/// What `gongkai migrate` and `gongkai store copy` do, apart from printing.
public enum StoreMaintenance {
    /// The schema before and after `gongkai migrate`.
    public struct Migration: Sendable, Codable, Equatable {
        public var database: String
        public var backend: String
        /// The version found; nil where opening the store already migrated it (SQLite).
        public var versionBefore: Int?
        public var schemaVersion: Int
        /// The newest version this build knows.
        public var latestKnown: Int
    }

    /// Applies the migrations this build knows and reports the schema version; a newer schema is refused by name.
    public static func migrate(_ settings: GongkaiSettings) async throws -> Migration {
        let database = try OutboxDatabase.open(
            settings.database, options: settings.databaseOptions, logger: OutboxConsole.storeLogger(settings))
        return try await database.withRunning { store in
            if let postgres = store as? PostgresOutboxStore {
                return Migration(
                    database: "\(database.location)", backend: "postgresql", versionBefore: try await postgres.schemaVersion(),
                    schemaVersion: try await database.prepare(), latestKnown: PostgresOutboxStore.knownSchemaVersion)
            }
            let version = try await database.prepare()
            return Migration(
                database: "\(database.location)", backend: "sqlite", versionBefore: nil, schemaVersion: version,
                latestKnown: version)
        }
    }

    /// Copies the outbox at `from` into the empty (or, with `allowNonEmpty`, any) outbox at `to`, and verifies it.
    public static func copy(
        from: String, to: String, allowNonEmpty: Bool, settings: GongkaiSettings, clock: any WallClock = SystemWallClock()
    ) async throws -> (from: String, to: String, report: OutboxCopyReport) {
        let logger = OutboxConsole.storeLogger(settings)
        let source: OutboxDatabase
        let target: OutboxDatabase
        do {
            source = try OutboxDatabase.open(from, options: settings.databaseOptions, logger: logger)
        } catch var error as GongkaiError {
            error.field = "from"
            throw error
        }
        if case .sqlite(let path) = source.location, !FileManager.default.fileExists(atPath: path) {
            throw GongkaiError(.configuration, "there is no SQLite outbox at \(path)", field: "from")
        }
        do {
            target = try OutboxDatabase.open(to, options: settings.databaseOptions, logger: logger)
        } catch var error as GongkaiError {
            error.field = "to"
            throw error
        }
        guard target.location != source.location else {
            throw GongkaiError(.configuration, "--from and --to name the same outbox", field: "to")
        }
        let report = try await source.withRunning { sourceStore in
            try await target.withRunning { targetStore in
                guard let rows = sourceStore as? any OutboxRowSource else {
                    throw GongkaiError(.configuration, "this outbox cannot be read for copying", field: "from")
                }
                guard let destination = targetStore as? any OutboxCopyTarget else {
                    throw GongkaiError(
                        .configuration, "store copy writes to PostgreSQL (postgres://…); a SQLite target is not supported",
                        field: "to")
                }
                return try await OutboxCopy.copy(
                    from: rows, to: destination, allowNonEmpty: allowNonEmpty, now: clock.now())
            }
        }
        return ("\(source.location)", "\(target.location)", report)
    }
}
