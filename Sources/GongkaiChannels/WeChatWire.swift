/// The WeChat official-account API bodies the adapter sends and the replies
/// it reads, with the field names of the published documentation
/// (developers.weixin.qq.com/doc/offiaccount: 草稿箱 draft/add, 发布能力
/// freepublish/submit, get, delete, batchget, and 获取稳定版接口调用凭据 stable_token).
///
/// Replies are read tolerantly (``WireField``): ids and codes as strings or
/// numbers, unknown fields ignored, a field of the wrong type as absent.
enum WeChatWire {
    /// `POST /cgi-bin/stable_token`.
    struct StableTokenRequest: Encodable {
        var grantType = "client_credential"
        var appID: String
        var secret: String
        var forceRefresh: Bool

        enum CodingKeys: String, CodingKey {
            case grantType = "grant_type", appID = "appid", secret, forceRefresh = "force_refresh"
        }
    }

    /// The `stable_token` answer: a token, or an errcode.
    struct StableTokenReply: Decodable {
        @WireField var accessToken: WireText?
        @WireField var expiresIn: WireInt?
        @WireField var errcode: WireInt?
        @WireField var errmsg: WireText?

        enum CodingKeys: String, CodingKey {
            case accessToken = "access_token", expiresIn = "expires_in", errcode, errmsg
        }
    }

    /// `POST /cgi-bin/draft/add`: one article per draft.
    struct DraftAdd: Encodable {
        var articles: [Article]

        struct Article: Encodable {
            var title: String
            var author: String?
            var digest: String
            var content: String
            /// 阅读原文, at most 1 KB; left out when the item has no portal URL.
            var contentSourceURL: String?
            var thumbMediaID: String
            var needOpenComment = 0
            var onlyFansCanComment = 0

            enum CodingKeys: String, CodingKey {
                case title, author, digest, content
                case contentSourceURL = "content_source_url", thumbMediaID = "thumb_media_id"
                case needOpenComment = "need_open_comment", onlyFansCanComment = "only_fans_can_comment"
            }
        }
    }

    /// `POST /cgi-bin/freepublish/submit`.
    struct Submit: Encodable {
        var mediaID: String

        enum CodingKeys: String, CodingKey { case mediaID = "media_id" }
    }

    /// `POST /cgi-bin/freepublish/get`.
    struct PublishQuery: Encodable {
        var publishID: String

        enum CodingKeys: String, CodingKey { case publishID = "publish_id" }
    }

    /// `POST /cgi-bin/freepublish/delete`: `index` 0 deletes the whole article.
    struct Delete: Encodable {
        var articleID: String
        var index = 0

        enum CodingKeys: String, CodingKey { case articleID = "article_id", index }
    }

    /// `POST /cgi-bin/freepublish/batchget`; `no_content` 1 leaves the article bodies out.
    struct BatchGet: Encodable {
        var offset: Int
        var count: Int
        var noContent = 1

        enum CodingKeys: String, CodingKey { case offset, count, noContent = "no_content" }
    }

    /// Every answer's error fields: `errcode` 0 (or absent) is success.
    struct Status: Decodable {
        @WireField var errcode: WireInt?
        @WireField var errmsg: WireText?
    }

    /// The draft/add answer.
    struct DraftAdded: Decodable {
        @WireField var mediaID: WireText?

        enum CodingKeys: String, CodingKey { case mediaID = "media_id" }
    }

    /// The freepublish/submit answer.
    struct Submitted: Decodable {
        @WireField var publishID: WireText?

        enum CodingKeys: String, CodingKey { case publishID = "publish_id" }
    }

    /// The freepublish/get answer.
    struct PublishState: Decodable {
        @WireField var publishStatus: WireInt?
        @WireField var articleID: WireText?
        @WireField var articleDetail: ArticleDetail?
        /// Indexes of the articles that failed the check (publish_status 2).
        @WireField var failIndexes: [WireField<WireInt>]?

        struct ArticleDetail: Decodable {
            @WireField var item: [Item]?

            struct Item: Decodable {
                @WireField var articleURL: WireText?

                enum CodingKeys: String, CodingKey { case articleURL = "article_url" }
            }
        }

        enum CodingKeys: String, CodingKey {
            case publishStatus = "publish_status", articleID = "article_id", articleDetail = "article_detail"
            case failIndexes = "fail_idx"
        }
    }

    /// The freepublish/batchget answer.
    struct Published: Decodable {
        @WireField var totalCount: WireInt?
        @WireField var itemCount: WireInt?
        @WireField var item: [Item]?

        struct Item: Decodable {
            @WireField var articleID: WireText?
            @WireField var content: Content?

            struct Content: Decodable {
                @WireField var newsItem: [News]?

                enum CodingKeys: String, CodingKey { case newsItem = "news_item" }
            }

            struct News: Decodable {
                @WireField var title: WireText?
                @WireField var url: WireText?
                @WireField var contentSourceURL: WireText?
                @WireField var isDeleted: Bool?

                enum CodingKeys: String, CodingKey {
                    case title, url, contentSourceURL = "content_source_url", isDeleted = "is_deleted"
                }
            }

            enum CodingKeys: String, CodingKey { case articleID = "article_id", content }
        }

        enum CodingKeys: String, CodingKey { case totalCount = "total_count", itemCount = "item_count", item }
    }
}
