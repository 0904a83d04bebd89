/// What the outbox stores as a WeChat delivery's remote id.
///
/// A finished publish is the platform's `article_id`, as is, so reconciliation
/// can match it against `freepublish/batchget`. A publish WeChat is still
/// working on is `publish:v<version>:<publish_id>`, optionally followed by
/// `;polls=<n>` (how often it was checked, for the back-off) and
/// `;replaces=<article_id>,…` (the older versions' articles to delete once
/// this one is live). The engine stores it durably before it asks again, so a
/// publish that is still polling survives a daemon restart.
public enum WeChatRemoteID: Sendable, Equatable {
    /// A published article (`article_id`).
    case article(String)
    /// A submitted publish WeChat has not finished.
    case pending(Pending)

    /// A submitted publish, and what it has to clean up after itself.
    public struct Pending: Sendable, Equatable {
        /// The item version this publish carries.
        public var version: Int
        /// `freepublish/submit`'s `publish_id`.
        public var publishID: String
        /// How many checks found it still publishing.
        public var polls: Int
        /// Articles of older versions, deleted once this publish succeeded.
        public var replaces: [String]

        /// A publish; `polls` and `replaces` as described above.
        public init(version: Int, publishID: String, polls: Int = 0, replaces: [String] = []) {
            self.version = version
            self.publishID = publishID
            self.polls = polls
            self.replaces = replaces
        }
    }

    static let pendingPrefix = "publish:v"

    /// Reads a stored remote id; anything not in the pending form is an `article_id`.
    public init?(_ text: String?) {
        guard let text, !text.isEmpty else { return nil }
        guard text.hasPrefix(Self.pendingPrefix) else {
            self = .article(text)
            return
        }
        var fields = text.dropFirst(Self.pendingPrefix.count).split(separator: ";", omittingEmptySubsequences: false)
        let head = fields.isEmpty ? [] : fields.removeFirst().split(separator: ":", maxSplits: 1)
        guard head.count == 2, let version = Int(head[0]), !head[1].isEmpty else { return nil }
        var pending = Pending(version: version, publishID: String(head[1]))
        for field in fields {
            let pair = field.split(separator: "=", maxSplits: 1)
            guard pair.count == 2 else { continue }
            switch pair[0] {
            case "polls": pending.polls = Int(pair[1]) ?? 0
            case "replaces": pending.replaces = pair[1].split(separator: ",").map(String.init)
            default: continue
            }
        }
        self = .pending(pending)
    }

    /// The text the outbox stores.
    public var text: String {
        switch self {
        case .article(let articleID):
            return articleID
        case .pending(let pending):
            var text = Self.pendingPrefix + "\(pending.version):\(pending.publishID)"
            if pending.polls > 0 { text += ";polls=\(pending.polls)" }
            if !pending.replaces.isEmpty { text += ";replaces=" + pending.replaces.joined(separator: ",") }
            return text
        }
    }
}

extension WeChatRemoteID.Pending {
    /// The same publish, checked once more.
    func checked() -> Self {
        var next = self
        next.polls += 1
        return next
    }
}
