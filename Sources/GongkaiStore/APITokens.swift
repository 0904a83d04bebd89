import Foundation
import GongkaiCore
import GRDB
import PostgresNIO

/// What a bearer token lets its holder do through the HTTP API.
public enum APIRole: String, Sendable, Codable, CaseIterable {
    /// A system that sends items (the OA system, the portal CMS, the case system).
    case submit
    /// Operators: withdraw, approve, resend, recover, pause and resume; and everything `read` may.
    case operate
    /// Auditors and the read-only console.
    case read
}

/// One API token as stored: never the token itself, only the SHA-256 of its secret part.
public struct APITokenRecord: Sendable, Equatable, Codable {
    /// The public part of the token (`gk_<id>_<secret>`), by which it is looked up.
    public var id: String
    /// Who holds it, e.g. `oa-system`; written to the audit log for every change made with it.
    public var name: String
    public var role: APIRole
    /// Hex SHA-256 of the secret part.
    public var secretHash: String
    public var createdAt: Int64
    public var revokedAt: Int64?

    public init(id: String, name: String, role: APIRole, secretHash: String, createdAt: Int64, revokedAt: Int64? = nil) {
        self.id = id
        self.name = name
        self.role = role
        self.secretHash = secretHash
        self.createdAt = createdAt
        self.revokedAt = revokedAt
    }
}

/// A store that keeps API tokens (both backends), each change audited with its actor.
public protocol APITokenStoring: Sendable {
    /// Stores a new token; refuses a name an unrevoked token already has (`conflict`).
    func createToken(_ token: APITokenRecord, actor: String) async throws
    /// Revokes the unrevoked token of this name; `unknown-item` with field `name` if there is none.
    func revokeToken(name: String, actor: String, now: Int64) async throws
    /// Every token, revoked ones included, by name.
    func tokens() async throws -> [APITokenRecord]
    /// The token with this public id, revoked or not.
    func token(id: String) async throws -> APITokenRecord?
    /// Audits a refused API request (no token, a wrong one, or a role that may not).
    func auditRefusal(actor: String, detail: String, now: Int64) async throws
}

enum APITokenSQL {
    static let columns = "id, name, role, secret_hash, created_at, revoked_at"
    static let activeByName = "SELECT id FROM api_token WHERE name = $1 AND revoked_at IS NULL"
    static let insert = "INSERT INTO api_token (\(columns)) VALUES ($1, $2, $3, $4, $5, NULL)"
    static let revoke = "UPDATE api_token SET revoked_at = $1 WHERE name = $2 AND revoked_at IS NULL"
    static let all = "SELECT \(columns) FROM api_token ORDER BY name, created_at"
    static let byID = "SELECT \(columns) FROM api_token WHERE id = $1"
    static let audit = "INSERT INTO audit (at, actor, action, item_id, channel_id, detail) VALUES ($1, $2, $3, NULL, NULL, $4)"

    static func sqlite(_ sql: String) -> String {
        sql.replacingOccurrences(of: #"\$\d+"#, with: "?", options: .regularExpression)
    }

    static func record(id: String, name: String, role: String, hash: String, created: Int64, revoked: Int64?) throws
        -> APITokenRecord
    {
        guard let role = APIRole(rawValue: role) else {
            throw GongkaiError(.store, "token \(name) has an unknown role", field: "role")
        }
        return APITokenRecord(id: id, name: name, role: role, secretHash: hash, createdAt: created, revokedAt: revoked)
    }

    static func duplicate(_ name: String) -> GongkaiError {
        GongkaiError(.conflict, "a token named \(name) exists; revoke it first", field: "name")
    }

    static func unknown(_ name: String) -> GongkaiError {
        GongkaiError(.unknownItem, "no unrevoked token with this name", field: "name")
    }
}

extension SQLiteOutboxStore: APITokenStoring {
    public func createToken(_ token: APITokenRecord, actor: String) async throws {
        try await tokenWrite("store the token") { db in
            if try String.fetchOne(db, sql: APITokenSQL.sqlite(APITokenSQL.activeByName), arguments: [token.name]) != nil {
                throw APITokenSQL.duplicate(token.name)
            }
            try db.execute(
                sql: APITokenSQL.sqlite(APITokenSQL.insert),
                arguments: [token.id, token.name, token.role.rawValue, token.secretHash, token.createdAt])
            try db.execute(
                sql: APITokenSQL.sqlite(APITokenSQL.audit),
                arguments: [token.createdAt, actor, "token-create", "\(token.name) role=\(token.role.rawValue) id=\(token.id)"])
        }
    }

    public func revokeToken(name: String, actor: String, now: Int64) async throws {
        try await tokenWrite("revoke the token") { db in
            try db.execute(sql: APITokenSQL.sqlite(APITokenSQL.revoke), arguments: [now, name])
            guard db.changesCount > 0 else { throw APITokenSQL.unknown(name) }
            try db.execute(sql: APITokenSQL.sqlite(APITokenSQL.audit), arguments: [now, actor, "token-revoke", name])
        }
    }

    public func tokens() async throws -> [APITokenRecord] {
        try await tokenRead { db in try Row.fetchAll(db, sql: APITokenSQL.all).map(Self.tokenRecord) }
    }

    public func token(id: String) async throws -> APITokenRecord? {
        try await tokenRead { db in
            try Row.fetchOne(db, sql: APITokenSQL.sqlite(APITokenSQL.byID), arguments: [id]).map(Self.tokenRecord)
        }
    }

    public func auditRefusal(actor: String, detail: String, now: Int64) async throws {
        try await tokenWrite("audit a refused request") { db in
            try db.execute(sql: APITokenSQL.sqlite(APITokenSQL.audit), arguments: [now, actor, "api-refused", detail])
        }
    }

    private static func tokenRecord(_ row: Row) throws -> APITokenRecord {
        try APITokenSQL.record(id: row[0], name: row[1], role: row[2], hash: row[3], created: row[4], revoked: row[5])
    }

    private func tokenWrite(_ action: String, _ body: @escaping @Sendable (Database) throws -> Void) async throws {
        do {
            try await writer.write(body)
        } catch let error as GongkaiError {
            throw error
        } catch {
            throw GongkaiError(.store, "cannot \(action): \(error)")
        }
    }

    private func tokenRead<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        do {
            return try await writer.read(body)
        } catch let error as GongkaiError {
            throw error
        } catch {
            throw GongkaiError(.store, "cannot read the API tokens: \(error)")
        }
    }
}

extension PostgresOutboxStore: APITokenStoring {
    public func createToken(_ token: APITokenRecord, actor: String) async throws {
        try await translated("store the token") {
            try await leased { connection in
                try await connection.checkedQuery("BEGIN", logger: logger)
                do {
                    let existing = try await connection.checkedQuery(
                        PostgresQuery(unsafeSQL: APITokenSQL.activeByName, binds: try Self.bindings(token.name)),
                        logger: logger
                    ).collect()
                    if !existing.isEmpty { throw APITokenSQL.duplicate(token.name) }
                    var bindings = PostgresBindings(capacity: 5)
                    bindings.append(token.id)
                    bindings.append(token.name)
                    bindings.append(token.role.rawValue)
                    bindings.append(token.secretHash)
                    bindings.append(token.createdAt)
                    try await connection.checkedQuery(PostgresQuery(unsafeSQL: APITokenSQL.insert, binds: bindings), logger: logger)
                    try await audit(
                        connection, at: token.createdAt, actor: actor, action: "token-create",
                        detail: "\(token.name) role=\(token.role.rawValue) id=\(token.id)")
                    try await connection.checkedQuery("COMMIT", logger: logger)
                } catch {
                    _ = try? await connection.checkedQuery("ROLLBACK", logger: logger)
                    throw error
                }
            }
        }
    }

    public func revokeToken(name: String, actor: String, now: Int64) async throws {
        try await translated("revoke the token") {
            try await leased { connection in
                try await connection.checkedQuery("BEGIN", logger: logger)
                do {
                    var bindings = PostgresBindings(capacity: 2)
                    bindings.append(now)
                    bindings.append(name)
                    let rows = try await connection.checkedQuery(
                        PostgresQuery(unsafeSQL: APITokenSQL.revoke + " RETURNING id", binds: bindings), logger: logger
                    ).collect()
                    if rows.isEmpty { throw APITokenSQL.unknown(name) }
                    try await audit(connection, at: now, actor: actor, action: "token-revoke", detail: name)
                    try await connection.checkedQuery("COMMIT", logger: logger)
                } catch {
                    _ = try? await connection.checkedQuery("ROLLBACK", logger: logger)
                    throw error
                }
            }
        }
    }

    public func tokens() async throws -> [APITokenRecord] {
        try await translated("read the API tokens") {
            var result: [APITokenRecord] = []
            for row in try await rows(PostgresQuery(unsafeSQL: APITokenSQL.all)) {
                let (id, name, role, hash, created, revoked) = try row.decode(
                    (String, String, String, String, Int64, Int64?).self)
                result.append(try APITokenSQL.record(id: id, name: name, role: role, hash: hash, created: created, revoked: revoked))
            }
            return result
        }
    }

    public func token(id: String) async throws -> APITokenRecord? {
        try await translated("read an API token") {
            for row in try await rows(PostgresQuery(unsafeSQL: APITokenSQL.byID, binds: try Self.bindings(id))) {
                let (id, name, role, hash, created, revoked) = try row.decode(
                    (String, String, String, String, Int64, Int64?).self)
                return try APITokenSQL.record(id: id, name: name, role: role, hash: hash, created: created, revoked: revoked)
            }
            return nil
        }
    }

    public func auditRefusal(actor: String, detail: String, now: Int64) async throws {
        try await translated("audit a refused request") {
            try await leased { connection in
                try await audit(connection, at: now, actor: actor, action: "api-refused", detail: detail)
            }
        }
    }

    private func audit(_ connection: PostgresConnection, at: Int64, actor: String, action: String, detail: String)
        async throws
    {
        var bindings = PostgresBindings(capacity: 4)
        bindings.append(at)
        bindings.append(actor)
        bindings.append(action)
        bindings.append(detail)
        try await connection.checkedQuery(PostgresQuery(unsafeSQL: APITokenSQL.audit, binds: bindings), logger: logger)
    }
}
