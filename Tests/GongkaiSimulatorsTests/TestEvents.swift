/// Webhook bodies shaped like the ones gongkai sends.
enum TestEvents {
    static func published(
        itemID: String, version: Int = 1, contentHash: String = "9f86d081884c7d65", channel: String = "gov-portal",
        title: String = "关于开展2024年度政府信息公开工作的通知"
    ) -> String {
        """
        {"type":"disclosure.published","timestamp":"2024-05-01T08:00:00Z","data":{"itemId":"\(itemID)",\
        "version":\(version),"contentHash":"\(contentHash)","channel":"\(channel)","item":{"id":"\(itemID)",\
        "kind":"notice","category":"management","title":"\(title)","body":"<p>正文</p>",\
        "publisher":{"name":"某市人民政府办公室"},"attachments":[{"name":"a.pdf","url":"https://x/a.pdf","sha256":"00"}]}}}
        """
    }

    static func withdrawn(itemID: String, version: Int = 1, reason: String = "superseded", channel: String = "gov-portal")
        -> String
    {
        """
        {"type":"disclosure.withdrawn","timestamp":"2024-05-02T08:00:00Z","data":{"itemId":"\(itemID)",\
        "version":\(version),"channel":"\(channel)","reason":"\(reason)"}}
        """
    }
}
