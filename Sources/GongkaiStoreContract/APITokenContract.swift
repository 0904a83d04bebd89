import GongkaiCore
import GongkaiStore
import Testing

/// The API's tokens: stored as hashes, one unrevoked token per name, every change audited.
extension OutboxStoreContract {
    enum Tokens {
        static let t0 = StoreFixtures.t0
        static let hash = String(repeating: "ab", count: 32)

        static func oneLiveTokenPerNameAndEveryChangeAudited(_ store: any OutboxStore) async throws {
            let tokens = try #require(store as? any APITokenStoring, "the store keeps no API tokens")
            let first = APITokenRecord(id: "0123456789ab", name: "oa-system", role: .submit, secretHash: hash, createdAt: t0)
            try await tokens.createToken(first, actor: "admin")
            #expect(try await tokens.token(id: "0123456789ab") == first)
            #expect(try await tokens.token(id: "ffffffffffff") == nil)
            // A second live token of the same name is refused and stores nothing.
            let twin = APITokenRecord(id: "ba9876543210", name: "oa-system", role: .operate, secretHash: hash, createdAt: t0)
            await #expect(throws: GongkaiError.self) { try await tokens.createToken(twin, actor: "admin") }
            #expect(try await tokens.token(id: "ba9876543210") == nil)
            // Revoked, the name is free again; the old row stays, marked.
            try await tokens.revokeToken(name: "oa-system", actor: "admin", now: t0 + 10)
            #expect(try await tokens.token(id: "0123456789ab")?.revokedAt == t0 + 10)
            let second = APITokenRecord(id: "ba9876543210", name: "oa-system", role: .read, secretHash: hash, createdAt: t0 + 20)
            try await tokens.createToken(second, actor: "admin")
            #expect(try await tokens.tokens().map(\.id) == ["0123456789ab", "ba9876543210"])
            // Revoking what is not there is an error naming the field.
            do {
                try await tokens.revokeToken(name: "nobody", actor: "admin", now: t0 + 30)
                Issue.record("revoking an unknown token succeeded")
            } catch let error as GongkaiError {
                #expect(error.field == "name")
            }
            try await tokens.auditRefusal(actor: "api:anonymous", detail: "no token: GET /v1/audit from 127.0.0.1", now: t0 + 40)
            let audit = try await store.auditLog(itemID: nil, limit: 10).map { "\($0.actor) \($0.action)" }
            #expect(audit.contains("admin token-create") && audit.contains("admin token-revoke"))
            #expect(audit.contains("api:anonymous api-refused"))
            #expect(audit.filter { $0 == "admin token-create" }.count == 2)
        }
    }
}
