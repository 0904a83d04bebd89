import GongkaiChannels
import Testing
import Foundation

@Suite("Channel text fitting")
struct ChannelTextTests {
    @Test("truncation by characters keeps whole characters and marks the cut")
    func truncateCharacters() {
        #expect(ChannelText.truncated("关于印发政务公开工作要点的通知", maxCharacters: 8) == "关于印发政务公…")
        #expect(ChannelText.truncated("短标题", maxCharacters: 8) == "短标题")
    }

    @Test("truncation by UTF-8 bytes never splits a character")
    func truncateBytes() {
        let text = String(repeating: "政", count: 10)  // 3 bytes each
        let cut = ChannelText.truncated(text, maxUTF8Bytes: 10, ellipsis: "")
        #expect(cut == "政政政")
        #expect(ChannelText.truncated(text, maxUTF8Bytes: 12).utf8.count <= 12)
    }

    @Test("splitting prefers line breaks and cuts long lines between characters")
    func split() {
        let text = "第一行\n第二行很长很长很长很长\n三"
        let parts = ChannelText.split(text, maxUTF8Bytes: 12)
        #expect(parts.allSatisfy { $0.utf8.count <= 12 && !$0.isEmpty })
        #expect(parts.joined() == text.replacingOccurrences(of: "\n", with: ""))
        #expect(parts.first == "第一行")
    }

    @Test("plain text from HTML drops tags and decodes entities")
    func plainText() {
        #expect(ChannelText.plainText(fromHTML: "<p>第一段&nbsp;A &amp; B</p><p>第二段</p>") == "第一段 A & B\n第二段")
    }
}
