/// The provincial disclosure platform's bodies the adapter sends and the
/// replies it reads, in the assumed interface documented in
/// `channels/platform.yaml` (no published source: the provinces' platforms
/// differ, this is the contract gongkai offers).
///
/// Every answer is an envelope `{code, message, data}`; replies are read
/// tolerantly (``WireField``).
enum PlatformWire {
    /// `PUT /documents/{externalId}`.
    struct Document: Encodable, Equatable {
        var siteCode: String
        var title: String
        var content: String
        var summary: String?
        var catalogue: PlatformCatalogue
        /// The item's canonical (portal) URL, where it has one.
        var sourceURL: String?
        var version: Int
        var contentHash: String

        enum CodingKeys: String, CodingKey {
            case siteCode, title, content, summary, catalogue, sourceURL = "sourceUrl", version, contentHash
        }
    }

    /// The envelope, with `data` read as `Payload`.
    struct Envelope<Payload: Decodable>: Decodable {
        @WireField var code: Int?
        @WireField var message: String?
        @WireField var data: Payload?
    }

    /// What an error answer's `data` may say: the field at fault, and how long to wait (seconds).
    struct ErrorData: Decodable, Sendable {
        @WireField var field: String?
        @WireField var retryAfter: Int?
    }

    /// The PUT answer's `data`.
    struct Saved: Decodable, Sendable {
        @WireField var docID: String?
        @WireField var url: String?

        enum CodingKeys: String, CodingKey { case docID = "docId", url }
    }

    /// The `GET /documents` answer's `data`.
    struct Listing: Decodable, Sendable {
        @WireField var records: [Listed]?
        @WireField var total: Int?

        struct Listed: Decodable, Sendable {
            @WireField var docID: String?
            @WireField var externalID: String?
            @WireField var version: Int?
            @WireField var contentHash: String?
            @WireField var url: String?
            @WireField var title: String?

            enum CodingKeys: String, CodingKey {
                case docID = "docId", externalID = "externalId", version, contentHash, url, title
            }
        }
    }

    /// The `GET /ping` answer's `data`: the platform's clock (ms), to show this host's offset.
    struct Ping: Decodable, Sendable {
        @WireField var serverTime: Int?
    }
}
