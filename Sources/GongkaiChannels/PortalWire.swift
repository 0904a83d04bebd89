/// The portal CMS bodies the adapter sends and the replies it reads, in the
/// assumed interface documented in `channels/portal.yaml` (no published
/// source: each agency's CMS differs, this is the contract gongkai offers).
///
/// Replies are read tolerantly (``WireField``).
enum PortalWire {
    /// `PUT /articles/{externalId}`: what the article shows plus what
    /// reconciliation reads back (version, content hash).
    struct Article: Encodable, Equatable {
        var column: String
        var title: String
        var content: String
        var summary: String?
        var documentNumber: String?
        var indexNumber: String
        var publisher: String
        var publishDate: String
        var version: Int
        var contentHash: String
        /// 附件 the article page lists; left out when the item has none.
        var attachments: [Attachment]?

        enum CodingKeys: String, CodingKey {
            case column, title, content, summary, documentNumber, indexNumber, publisher, publishDate, version
            case contentHash, attachments
        }

        /// A file the agency hosts, with the SHA-256 a public-page check compares its bytes with.
        struct Attachment: Encodable, Equatable {
            var name: String
            var url: String
            var sha256: String
        }
    }

    /// The PUT answer: the article id (string or number) and its public URL.
    struct Saved: Decodable {
        @WireField var id: ArticleID?
        @WireField var url: String?
    }

    /// An id the CMS may send as a string or a number; an empty string is no id.
    struct ArticleID: Decodable, Sendable {
        var text: String

        init(from decoder: any Decoder) throws {
            let value = try decoder.singleValueContainer()
            if let number = try? value.decode(Int.self) {
                text = String(number)
                return
            }
            text = try value.decode(String.self)
            guard !text.isEmpty else {
                throw DecodingError.dataCorruptedError(in: value, debugDescription: "an empty id")
            }
        }
    }

    /// `GET /articles?column=&page=&pageSize=`.
    struct Listing: Decodable {
        @WireField var articles: [Listed]?
        @WireField var total: Int?

        struct Listed: Decodable {
            @WireField var id: ArticleID?
            @WireField var externalID: String?
            @WireField var version: Int?
            @WireField var contentHash: String?
            @WireField var url: String?
            @WireField var title: String?

            enum CodingKeys: String, CodingKey {
                case id, externalID = "externalId", version, contentHash, url, title
            }
        }
    }

    /// An error answer: `{"error": code, "message": text, "field": name}`.
    struct Failure: Decodable {
        @WireField var error: String?
        @WireField var message: String?
        @WireField var field: String?
    }
}
