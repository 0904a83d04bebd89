/// The group robots' message bodies, with each platform's published field
/// names: WeCom 群机器人 (developer.work.weixin.qq.com/document/path/91770),
/// DingTalk 自定义机器人 (open.dingtalk.com/document/development/robot-message-type),
/// Feishu 自定义机器人 (open.feishu.cn/document/client-docs/bot-v3/add-custom-bot).
enum RobotWire {
    /// WeCom: `{"msgtype": "markdown", "markdown": {"content": …}}`.
    struct WeComMarkdown: Encodable {
        var msgtype = "markdown"
        var markdown: Markdown

        init(content: String) { markdown = Markdown(content: content) }

        struct Markdown: Encodable { var content: String }
    }

    /// DingTalk: `{"msgtype": "markdown", "markdown": {"title": …, "text": …}}`.
    struct DingTalkMarkdown: Encodable {
        var msgtype = "markdown"
        var markdown: Markdown

        init(title: String, text: String) { markdown = Markdown(title: title, text: text) }

        struct Markdown: Encodable {
            var title: String
            var text: String
        }
    }

    /// Feishu: `{"timestamp": "<seconds>", "sign": …, "msg_type": "text", "content": {"text": …}}`;
    /// the timestamp is a string, as the signature's example sends it.
    struct FeishuText: Encodable {
        var timestamp: String
        var sign: String
        var msgType = "text"
        var content: Content

        init(timestamp: String, sign: String, text: String) {
            self.timestamp = timestamp
            self.sign = sign
            content = Content(text: text)
        }

        struct Content: Encodable { var text: String }

        enum CodingKeys: String, CodingKey { case timestamp, sign, msgType = "msg_type", content }
    }
}
