/// The credit feed's (信用中国 双公示) bodies the adapter sends and the
/// replies it reads, in the assumed interface of ``CreditFeedAdapter`` (the
/// feed's interface is not published; the record fields are the national
/// codes, ``CreditRecord``).
///
/// Replies are read tolerantly (``WireField``).
enum CreditFeedWire {
    /// `POST /records/batch`.
    struct Batch: Encodable {
        /// Stable for the same records, so a resent batch carries the same id.
        var batchID: String
        var records: [Record]

        enum CodingKeys: String, CodingKey { case batchID = "batchId", records }
    }

    /// One record of a batch.
    struct Record: Encodable, Equatable {
        /// The delivery's idempotency key: the platform dedupes by it.
        var recordID: String
        var itemID: String
        var version: Int
        var contentHash: String
        var operation: Operation
        /// `CF` or `XK`.
        var type: String
        /// National field code → value.
        var fields: [String: String]

        enum Operation: String, Encodable {
            case add, update, revoke
        }

        enum CodingKeys: String, CodingKey {
            case recordID = "recordId", itemID = "itemId", version, contentHash, operation, type, fields
        }
    }

    /// The batch answer: one result per record.
    struct BatchResult: Decodable {
        @WireField var results: [RecordResult]?

        struct RecordResult: Decodable, Sendable {
            @WireField var recordID: String?
            /// `accepted` or `rejected`.
            @WireField var status: String?
            @WireField var code: String?
            @WireField var reason: String?
            @WireField var remoteID: String?

            enum CodingKeys: String, CodingKey {
                case recordID = "recordId", status, code, reason, remoteID = "remoteId"
            }
        }
    }

    /// A whole-batch refusal: `{"code": ..., "reason": ...}`.
    struct Failure: Decodable {
        @WireField var code: String?
        @WireField var reason: String?
    }

    /// `GET /records?page=&pageSize=`.
    struct Listing: Decodable {
        @WireField var records: [Listed]?
        @WireField var total: Int?

        struct Listed: Decodable, Sendable {
            @WireField var remoteID: String?
            @WireField var itemID: String?
            @WireField var version: Int?
            @WireField var contentHash: String?

            enum CodingKeys: String, CodingKey {
                case remoteID = "remoteId", itemID = "itemId", version, contentHash
            }
        }
    }
}
