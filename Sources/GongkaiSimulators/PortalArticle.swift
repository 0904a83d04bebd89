/// One article as the simulated portal CMS holds it.
public struct PortalArticle: Sendable, Equatable {
    /// The CMS's own article id (the remote id gongkai stores).
    public var id: String
    /// The integrator's id for the article (gongkai sends `gk-<itemID>`).
    public var externalID: String
    /// 栏目 code.
    public var column: String
    public var title: String
    /// HTML body.
    public var content: String
    public var summary: String?
    /// 文号.
    public var documentNumber: String?
    /// 索引号.
    public var indexNumber: String?
    /// 发布机构.
    public var publisher: String?
    /// 发布日期, `YYYY-MM-DD`.
    public var publishDate: String
    /// The integrator's version number, echoed in listings for reconciliation.
    public var version: Int
    /// The integrator's content hash, echoed in listings for reconciliation.
    public var contentHash: String
    /// The public page of the article.
    public var url: String
    /// How many accepted PUTs wrote this article (1 after creation).
    public var writes: Int
    /// 附件 listed on the article page.
    public var attachments: [Attachment] = []

    /// A file the article links to.
    public struct Attachment: Sendable, Equatable {
        public var name: String
        public var url: String
        public var sha256: String?
    }

    public init(
        id: String, externalID: String, column: String, title: String, content: String, summary: String? = nil,
        documentNumber: String? = nil, indexNumber: String? = nil, publisher: String? = nil, publishDate: String,
        version: Int, contentHash: String, url: String, writes: Int = 1
    ) {
        self.id = id
        self.externalID = externalID
        self.column = column
        self.title = title
        self.content = content
        self.summary = summary
        self.documentNumber = documentNumber
        self.indexNumber = indexNumber
        self.publisher = publisher
        self.publishDate = publishDate
        self.version = version
        self.contentHash = contentHash
        self.url = url
        self.writes = writes
    }

    /// The article as the listing and the write answers show it.
    var listingJSON: [String: Any] {
        [
            "id": id, "externalId": externalID, "column": column, "title": title, "url": url, "version": version,
            "contentHash": contentHash, "publishDate": publishDate,
        ]
    }
}
