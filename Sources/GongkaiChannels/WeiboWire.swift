/// The Weibo open API v2 bodies the adapter sends and the replies it reads,
/// with the published field names (open.weibo.com/wiki: statuses/share,
/// statuses/destroy, statuses/user_timeline, account/get_uid, 错误码).
///
/// Requests are forms, not JSON: ``WeiboAdapter/form(_:)`` encodes the pairs
/// these types give, in this order. Replies are read tolerantly (``WireField``).
enum WeiboWire {
    /// `POST statuses/share.json`: `rip` is the real IP of the operating user.
    struct Share {
        var accessToken: String
        var status: String
        var rip: String

        var form: [(String, String)] { [("access_token", accessToken), ("status", status), ("rip", rip)] }
    }

    /// `POST statuses/destroy.json`.
    struct Destroy {
        var accessToken: String
        var id: String

        var form: [(String, String)] { [("access_token", accessToken), ("id", id)] }
    }

    /// A post, as statuses/share answers it and user_timeline lists it.
    struct Status: Decodable {
        /// The id as text: Weibo ids pass 2^53, so `idstr` is the one to trust.
        @WireField var idstr: String?
        @WireField var id: Int64?
        @WireField var text: String?
        @WireField var user: User?

        struct User: Decodable {
            @WireField var idstr: String?
            @WireField var id: Int?
        }

        /// `idstr`, else `id` written out.
        var idString: String? {
            if let idstr, !idstr.isEmpty { return idstr }
            return id.map(String.init)
        }

        /// The post's page, when the author is known.
        func url(idstr: String) -> String? {
            guard let user else { return nil }
            return (user.idstr ?? user.id.map(String.init)).map { "https://weibo.com/\($0)/\(idstr)" }
        }
    }

    /// The user_timeline answer.
    struct Timeline: Decodable {
        @WireField var statuses: [Status]?
        @WireField var totalNumber: Int?

        enum CodingKeys: String, CodingKey { case statuses, totalNumber = "total_number" }
    }

    /// The account/get_uid answer: any `uid` means the token is good.
    struct UID: Decodable {
        @WireField var uid: WirePresence?
    }

    /// An error answer: `{"error": "...", "error_code": n, "request": "..."}`.
    struct Failure: Decodable {
        @WireField var error: String?
        @WireField var errorCode: Int?

        enum CodingKeys: String, CodingKey { case error, errorCode = "error_code" }
    }
}
