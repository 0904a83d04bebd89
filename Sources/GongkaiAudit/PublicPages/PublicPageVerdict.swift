public import GongkaiChannels
public import GongkaiCore

/// What one public page should show: the version the outbox wants the channel
/// to show, as a citizen would read it, or nothing once it is withdrawn.
public struct PublicPageExpectation: Sendable, Equatable {
    public var itemID: String
    public var channelID: String
    /// The address the channel gave for the item.
    public var url: String
    /// The version that should be shown, and its content hash.
    public var version: Int
    public var contentHash: String
    public var title: String
    /// 文号, where the item has one: public pages of policy documents show it.
    public var documentNumber: String?
    /// Withdrawn: the page should no longer show the item.
    public var withdrawn: Bool
    public var attachments: [DisclosureItem.Attachment]
    /// How much of the title the page is expected to show: all of it, or (a Weibo
    /// post, which shortens long titles) its first characters.
    public var titleCharacters: Int?
    /// Whether the page must list the item's attachments (the agency's own portal does);
    /// elsewhere only the attachments a page links to are checked.
    public var listsAttachments: Bool

    public init(
        itemID: String, channelID: String, url: String, version: Int, contentHash: String, title: String,
        documentNumber: String? = nil, withdrawn: Bool = false, attachments: [DisclosureItem.Attachment] = [],
        titleCharacters: Int? = nil, listsAttachments: Bool = true
    ) {
        self.listsAttachments = listsAttachments
        self.itemID = itemID
        self.channelID = channelID
        self.url = url
        self.version = version
        self.contentHash = contentHash
        self.title = title
        self.documentNumber = documentNumber
        self.withdrawn = withdrawn
        self.attachments = attachments
        self.titleCharacters = titleCharacters
    }

    /// The part of the title a correct page shows.
    var expectedTitle: String {
        guard let titleCharacters, title.count > titleCharacters else { return title }
        return String(title.prefix(titleCharacters))
    }
}

/// How a fetch of a public address ended.
public enum PublicFetchOutcome: Sendable, Equatable {
    /// The site answered (after any redirects it was allowed to follow).
    case answered(status: Int, finalURL: String, body: [UInt8])
    /// No answer that says anything about the page: timeout, connection refused,
    /// a redirect off the site, an answer too large; the text says which.
    case failed(String)
}

/// The class of one public page against its expectation (pure: no I/O).
public struct PublicPageVerdict: Sendable, Equatable {
    public var status: ReconcileClass
    public var shownVersion: Int?
    public var detail: String

    public init(status: ReconcileClass, shownVersion: Int? = nil, detail: String) {
        self.status = status
        self.shownVersion = shownVersion
        self.detail = detail
    }

    /// - `!` no usable answer (transport failure, 5xx, 429, a page behind a login);
    /// - `+` 404/410 for an item that should be shown;
    /// - `-` a withdrawn item still on its page (its mark, or its title);
    /// - `*` a page showing another version (by its mark), or without the title or 文号;
    /// - `=` the current version (by its mark, else by title and 文号), or a
    ///   withdrawn item's page gone (404/410) or no longer showing it.
    public static func judge(_ expected: PublicPageExpectation, _ outcome: PublicFetchOutcome, content: PublicPageContent?)
        -> PublicPageVerdict
    {
        let status: Int
        switch outcome {
        case .failed(let reason):
            return PublicPageVerdict(status: .unchecked, detail: "could not fetch the public page: \(reason)")
        case .answered(let code, _, _):
            status = code
        }
        switch status {
        case 404, 410:
            return expected.withdrawn
                ? PublicPageVerdict(status: .inSync, detail: "withdrawn; the page answers \(status)")
                : PublicPageVerdict(status: .missing, detail: "the public page answers \(status)")
        case 200..<300:
            break
        case 401, 403:
            return PublicPageVerdict(
                status: .unchecked, detail: "the public page answers \(status): a citizen cannot read it without signing in")
        default:
            return PublicPageVerdict(status: .unchecked, detail: "the public page answers \(status)")
        }
        let page = content ?? PublicPageContent(html: "", pageURL: expected.url)
        let marks = page.markers.filter { $0.itemID == expected.itemID }
        let showsTitle = page.shows(expected.expectedTitle)
        if expected.withdrawn {
            if let mark = marks.last {
                return PublicPageVerdict(
                    status: .extra, shownVersion: mark.version, detail: "withdrawn, but the page still shows version \(mark.version)")
            }
            if showsTitle {
                return PublicPageVerdict(status: .extra, detail: "withdrawn, but the page still shows its title")
            }
            return PublicPageVerdict(status: .inSync, detail: "withdrawn; the page no longer shows it")
        }
        if let mark = marks.last {
            if mark.version == expected.version && mark.names(contentHash: expected.contentHash) {
                return PublicPageVerdict(status: .inSync, shownVersion: mark.version, detail: "shows version \(mark.version)")
            }
            let which = mark.version == expected.version ? "other content under version \(mark.version)" : "version \(mark.version)"
            return PublicPageVerdict(
                status: .differs, shownVersion: mark.version, detail: "shows \(which); version \(expected.version) is current")
        }
        var missing: [String] = []
        if !showsTitle { missing.append("the title") }
        if let number = expected.documentNumber, !number.isEmpty, !page.shows(number) { missing.append("the 文号 \(number)") }
        if !missing.isEmpty {
            return PublicPageVerdict(status: .differs, detail: "the page does not show \(missing.joined(separator: " or "))")
        }
        return PublicPageVerdict(status: .inSync, detail: "shows the title" + (expected.documentNumber == nil ? "" : " and 文号") + " (no version mark)")
    }
}
