import Crypto
import Foundation
public import GongkaiStore
import Synchronization

/// The console's signed-in sessions and one-time sign-in links, kept in this
/// process's memory.
///
/// A session is a random id in an HttpOnly, SameSite=Strict cookie; the token
/// itself never leaves the sign-in form, so it is in no URL, log or page. Each
/// request looks the token up again by its public id, so revoking a token ends
/// its sessions at once. Memory, not the store: a restart signs everyone out,
/// which costs a paste, and nothing of a session can leak from a database copy.
///
/// Forms carry a CSRF value that is the HMAC-SHA256 of the session id under a
/// key made at start-up: it is bound to the session (another session's value
/// does not fit) and needs no table of its own.
public final class ConsoleSessions: Sendable {
    /// How long a session lasts from sign-in, however active.
    public static let lifetimeMillis: Int64 = 8 * 3_600_000
    /// How long a sign-in link may wait before it is redeemed (it is single-use as well).
    public static let linkLifetimeMillis: Int64 = 60_000
    /// A bound on what memory holds, so that a flood of sign-ins cannot grow it without end.
    static let capacity = 10_000

    /// One signed-in person: which token they pasted (by its public id) and until when.
    public struct Session: Sendable, Equatable {
        public var id: String
        public var tokenID: String
        public var expiresAt: Int64
    }

    private struct State {
        var sessions: [String: Session] = [:]
        /// One-time sign-in codes: code → token id and expiry.
        var links: [String: (tokenID: String, expiresAt: Int64)] = [:]
    }

    private let state = Mutex(State())
    private let key = SymmetricKey(size: .bits256)

    public init() {}

    /// A new session for `token`; the returned id goes into the cookie only.
    public func open(for token: APITokenRecord, now: Int64) -> Session {
        let session = Session(id: Self.randomID(), tokenID: token.id, expiresAt: now + Self.lifetimeMillis)
        state.withLock { state in
            state.sessions = state.sessions.filter { $0.value.expiresAt > now }
            if state.sessions.count >= Self.capacity, let oldest = state.sessions.min(by: { $0.value.expiresAt < $1.value.expiresAt }) {
                state.sessions[oldest.key] = nil
            }
            state.sessions[session.id] = session
        }
        return session
    }

    /// The unexpired session with this cookie value, if any.
    public func session(_ id: String, now: Int64) -> Session? {
        state.withLock { state in
            guard let session = state.sessions[id] else { return nil }
            guard session.expiresAt > now else {
                state.sessions[id] = nil
                return nil
            }
            return session
        }
    }

    /// Signing out: the cookie's value is worth nothing afterwards.
    public func close(_ id: String) {
        _ = state.withLock { $0.sessions.removeValue(forKey: id) }
    }

    /// A single-use code that signs `token` in when redeemed within ``linkLifetimeMillis``.
    ///
    /// For a browser that cannot paste (a headless one in a test, a kiosk): the code is in
    /// a URL, so it is short-lived and works once; the token it stands for is not.
    public func link(for token: APITokenRecord, now: Int64) -> String {
        let code = Self.randomID()
        state.withLock { state in
            state.links = state.links.filter { $0.value.expiresAt > now }
            if state.links.count >= Self.capacity { state.links.removeAll() }
            state.links[code] = (token.id, now + Self.linkLifetimeMillis)
        }
        return code
    }

    /// The token id a sign-in code stands for; the code is used up whatever the answer.
    public func redeem(_ code: String, now: Int64) -> String? {
        state.withLock { state in
            guard let link = state.links.removeValue(forKey: code), link.expiresAt > now else { return nil }
            return link.tokenID
        }
    }

    /// The CSRF value of a session's forms.
    public func csrf(for session: Session) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Array("csrf:\(session.id)".utf8), using: key)
        return Self.base64url(Array(mac))
    }

    /// Whether `value` is this session's CSRF value, compared in constant time.
    public func checkCSRF(_ value: String, for session: Session) -> Bool {
        let expected = Array(csrf(for: session).utf8)
        let given = Array(value.utf8)
        guard expected.count == given.count else { return false }
        var difference: UInt8 = 0
        for index in expected.indices { difference |= expected[index] ^ given[index] }
        return difference == 0
    }

    static func randomID() -> String {
        var generator = SystemRandomNumberGenerator()
        return base64url((0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) })
    }

    static func base64url(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}
