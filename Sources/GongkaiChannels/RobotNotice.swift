public import GongkaiCore

/// The short notice a group robot posts for a disclosure item: title, summary,
/// 文号, 发布机构, 发布日期 and the link to the canonical (portal) article.
///
/// Robots post into chats that get forwarded, so title and summary are masked
/// again (ID numbers, phones, addresses) even though a public channel's
/// document already is: a chat message cannot be recalled.
public struct RobotNotice: Sendable, Equatable {
    /// How a platform renders the lines.
    public enum Style: Sendable {
        /// WeCom and DingTalk markdown: bold title, `[查看原文](url)` link.
        case markdown
        /// Feishu plain text: the client turns the bare URL into a link.
        case plain
    }

    /// The item's title, masked; DingTalk shows it in the notification.
    public var title: String
    /// The whole message; a long one is split at line breaks into parts.
    public var text: String

    public init(title: String, text: String) {
        self.title = title
        self.text = text
    }

    /// Renders `item`, linking to `canonicalURL` when the portal carries the item.
    public static func render(_ item: DisclosureItem, canonicalURL: String?, style: Style) -> RobotNotice {
        let title = oneLine(PrivacyMasking.maskText(item.title))
        var lines: [String] = []
        switch style {
        case .markdown: lines.append("**" + title + "**")
        case .plain: lines.append(title)
        }
        if let summary = item.summary.map(PrivacyMasking.maskText), !summary.isEmpty {
            // Keep the summary's own line breaks: they are the split points of a long notice.
            lines.append(contentsOf: summary.split(separator: "\n").map(String.init))
        }
        if let number = item.documentNumber, !number.isEmpty { lines.append("文号：" + oneLine(number)) }
        lines.append("发布机构：" + oneLine(item.publisher.name))
        lines.append("发布日期：" + item.publishOn)
        if let url = canonicalURL, !url.isEmpty {
            switch style {
            case .markdown: lines.append("[查看原文](" + url + ")")
            case .plain: lines.append("原文链接：" + url)
            }
        }
        return RobotNotice(title: title, text: lines.joined(separator: "\n"))
    }

    /// Line breaks inside a field would become split points in the wrong place.
    private static func oneLine(_ text: String) -> String {
        text.split(whereSeparator: \.isNewline).joined(separator: " ")
    }
}
