import Crypto
import Foundation
public import GongkaiCore
public import GongkaiStore

/// Makes, checks and revokes the HTTP API's bearer tokens (`gongkai token …` and the server).
///
/// A token is `gk_<id>_<secret>`: the id (12 hex digits) finds the row, the secret
/// (32 random bytes, base64url) is the credential. Only the SHA-256 of the secret is
/// stored, so a copy of the database does not hold a usable token; the hash is
/// compared in constant time so that response timing says nothing about it.
public struct TokenAuthority: Sendable {
    public let store: any APITokenStoring
    public let clock: any WallClock

    public init(store: any APITokenStoring, clock: any WallClock = SystemWallClock()) {
        self.store = store
        self.clock = clock
    }

    /// The store's token table, or a configuration error naming the backend that has none.
    public init(outbox: any OutboxStore, clock: any WallClock = SystemWallClock()) throws(GongkaiError) {
        guard let store = outbox as? any APITokenStoring else {
            throw GongkaiError(.configuration, "this outbox backend keeps no API tokens", field: "database")
        }
        self.init(store: store, clock: clock)
    }

    /// A new token and what was stored of it: the token is shown once and never again.
    public func create(name: String, role: APIRole, actor: String) async throws -> (token: String, record: APITokenRecord) {
        let name = name.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (1...64).contains(name.count),
            name.unicodeScalars.allSatisfy({ CharacterSet.alphanumerics.contains($0) || "-_.".unicodeScalars.contains($0) })
        else {
            throw GongkaiError(
                .invalidField, "a token name is 1 to 64 letters, digits, '-', '_' or '.'", field: "name")
        }
        var generator = SystemRandomNumberGenerator()
        let id = (0..<6).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
        let secretBytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let secret = Data(secretBytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
        let record = APITokenRecord(
            id: id, name: name, role: role, secretHash: Self.hash(secret), createdAt: clock.now())
        try await store.createToken(record, actor: actor)
        return ("gk_\(id)_\(secret)", record)
    }

    /// The unrevoked token a bearer credential is, or nil: a malformed, unknown, revoked
    /// or wrong token are all just "no", so a caller cannot tell which.
    public func verify(_ bearer: String) async throws -> APITokenRecord? {
        let parts = bearer.split(separator: "_", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == "gk", parts[1].count == 12,
            parts[1].allSatisfy({ $0.isHexDigit && !$0.isUppercase }), !parts[2].isEmpty, parts[2].count <= 64
        else { return nil }
        guard let record = try await store.token(id: String(parts[1])) else { return nil }
        let matches = Self.constantTimeEqual(Array(Self.hash(String(parts[2])).utf8), Array(record.secretHash.utf8))
        return matches && record.revokedAt == nil ? record : nil
    }

    public func list() async throws -> [APITokenRecord] { try await store.tokens() }

    public func revoke(name: String, actor: String) async throws {
        try await store.revokeToken(name: name, actor: actor, now: clock.now())
    }

    static func hash(_ secret: String) -> String {
        SHA256.hash(data: Array(secret.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// Equal lengths and every byte compared, whatever the first difference.
    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for index in a.indices { difference |= a[index] ^ b[index] }
        return difference == 0
    }
}
