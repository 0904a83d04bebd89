/// The text of a Weibo post and Weibo's way of counting it.
///
/// Counting (the strict reading, stated in channels/weibo.yaml): a character
/// made only of ASCII scalars counts half, any other character one, and the
/// total is rounded up; a link counts at its full length, with no credit for
/// Weibo's t.cn shortening. The limit is 140.
public enum WeiboStatusText {
    /// Weibo's limit, in its counting units.
    public static let maxLength = 140

    /// `text`'s length as Weibo counts it.
    public static func length(_ text: String) -> Int {
        (halfUnits(text) + 1) / 2
    }

    /// Half units: 1 per ASCII character, 2 per other character.
    public static func halfUnits(_ text: String) -> Int {
        text.reduce(0) { $0 + halfUnits($1) }
    }

    static func halfUnits(_ character: Character) -> Int {
        character.unicodeScalars.allSatisfy(\.isASCII) ? 1 : 2
    }

    /// The post: title, （文号）, a version mark from version 2 on, a space and
    /// the link. The title is shortened first (ending in …), then the 文号; the
    /// link and the version mark are never cut. Nil when the link and the mark
    /// alone do not fit.
    ///
    /// The version mark makes every version's text different, because Weibo
    /// refuses a post identical to one it holds (20019).
    public static func compose(title: String, documentNumber: String?, version: Int, link: String) -> String? {
        let title = withoutTopicMarkers(oneLine(title))
        let number = documentNumber.map { withoutTopicMarkers(oneLine($0)) }.flatMap { $0.isEmpty ? nil : "（" + $0 + "）" } ?? ""
        let mark = version > 1 ? "（第\(version)版）" : ""
        let tail = mark + " " + link
        let budget = maxLength * 2 - halfUnits(tail)
        guard budget >= 0 else { return nil }
        if halfUnits(title) + halfUnits(number) <= budget {
            return title + number + tail
        }
        // Keep as much of the 文号 as fits beside at least "…", then fill with the title.
        let numberPart = fit(number, halfUnits: budget - 2)
        let titlePart = fit(title, halfUnits: budget - halfUnits(numberPart))
        return titlePart + numberPart + tail
    }

    /// `text` as is when it fits in `halfUnits`, else its longest prefix that
    /// fits together with a closing "…"; empty when not even "…" fits.
    static func fit(_ text: String, halfUnits budget: Int) -> String {
        if halfUnits(text) <= budget { return text }
        let ellipsis: Character = "…"
        guard budget >= halfUnits(ellipsis) else { return "" }
        var used = halfUnits(ellipsis)
        var kept = ""
        for character in text {
            let size = halfUnits(character)
            if used + size > budget { break }
            used += size
            kept.append(character)
        }
        return kept + String(ellipsis)
    }

    /// Shared text may not carry topic markers (`#话题#`, statuses/share on
    /// open.weibo.com): the `#` (and its full-width form) are dropped, the words kept.
    static func withoutTopicMarkers(_ text: String) -> String {
        String(text.filter { $0 != "#" && $0 != "＃" })
    }

    /// Line breaks and runs of blank space become one space.
    static func oneLine(_ text: String) -> String {
        text.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
    }
}
