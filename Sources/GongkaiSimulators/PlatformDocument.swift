/// One document as the simulated provincial disclosure platform holds it.
public struct PlatformDocument: Sendable, Equatable {
    /// The platform's own document id (the remote id gongkai stores).
    public var docID: String
    /// The integrator's id for the document (gongkai sends `gk-<itemID>`).
    public var externalID: String
    /// 站点编码.
    public var siteCode: String
    public var title: String
    /// HTML body.
    public var content: String
    public var summary: String?
    /// The catalogue metadata as received, keyed like the request (`indexNumber`, `genre` …).
    public var catalogue: [String: String]
    /// The agency portal's article, where the integrator sent one.
    public var sourceURL: String?
    public var version: Int
    public var contentHash: String
    /// The document's public page on the platform.
    public var url: String
    /// How many accepted PUTs wrote this document (1 after creation).
    public var writes: Int

    public init(
        docID: String, externalID: String, siteCode: String, title: String, content: String, summary: String? = nil,
        catalogue: [String: String], sourceURL: String? = nil, version: Int, contentHash: String, url: String,
        writes: Int = 1
    ) {
        self.docID = docID
        self.externalID = externalID
        self.siteCode = siteCode
        self.title = title
        self.content = content
        self.summary = summary
        self.catalogue = catalogue
        self.sourceURL = sourceURL
        self.version = version
        self.contentHash = contentHash
        self.url = url
        self.writes = writes
    }

    /// The document as the listing shows it.
    var listingJSON: [String: Any] {
        [
            "docId": docID, "externalId": externalID, "siteCode": siteCode, "title": title, "url": url,
            "version": version, "contentHash": contentHash,
        ]
    }
}
