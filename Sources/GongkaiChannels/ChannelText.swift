import Foundation
public import GongkaiCore

/// Rendering helpers every platform adapter needs: reading the stored
/// document back, and fitting text into a platform's limits without ever
/// cutting a character (or a UTF-8 sequence) in half.
public enum ChannelText {
    /// The item as stored for this channel (already masked for a public channel).
    /// A document that does not decode is our bug, not the platform's: permanent.
    public static func item(from request: DeliveryRequest) throws(DeliveryError) -> DisclosureItem {
        do {
            return try JSONDecoder().decode(DisclosureItem.self, from: Data(request.document))
        } catch {
            throw DeliveryError(
                SendFailure(permanent: true, message: "stored document does not decode as a disclosure item: \(error)"),
                itemID: request.itemID, channelID: request.channelID)
        }
    }

    /// `text` with every non-empty secret replaced by `***`: platforms echo
    /// tokens and keys back in their error texts, and those reach logs and the attempt log.
    public static func redacting(_ secrets: [String], in text: String) -> String {
        var text = text
        for secret in secrets where !secret.isEmpty {
            text = text.replacingOccurrences(of: secret, with: "***")
        }
        return text
    }

    /// At most `maxCharacters` characters (grapheme clusters); a shortened text
    /// ends with `ellipsis`, which counts towards the limit.
    public static func truncated(_ text: String, maxCharacters: Int, ellipsis: String = "…") -> String {
        guard text.count > maxCharacters else { return text }
        let keep = max(0, maxCharacters - ellipsis.count)
        return String(text.prefix(keep)) + (keep < maxCharacters ? ellipsis : "")
    }

    /// At most `maxBytes` UTF-8 bytes, cut only between characters; a shortened
    /// text ends with `ellipsis`, which counts towards the limit.
    public static func truncated(_ text: String, maxUTF8Bytes maxBytes: Int, ellipsis: String = "…") -> String {
        guard text.utf8.count > maxBytes else { return text }
        let budget = maxBytes - ellipsis.utf8.count
        guard budget > 0 else { return prefix(text, maxUTF8Bytes: maxBytes) }
        return prefix(text, maxUTF8Bytes: budget) + ellipsis
    }

    /// The longest whole-character prefix of `text` that fits in `maxBytes` UTF-8 bytes.
    public static func prefix(_ text: String, maxUTF8Bytes maxBytes: Int) -> String {
        var used = 0
        var end = text.startIndex
        for index in text.indices {
            let size = text[index].utf8.count
            if used + size > maxBytes { break }
            used += size
            end = text.index(after: index)
        }
        return String(text[..<end])
    }

    /// Splits `text` into parts of at most `maxBytes` UTF-8 bytes, at line
    /// breaks where possible; a single line longer than the limit is cut
    /// between characters. No part is empty; joining the parts with "\n"
    /// gives the text back (apart from the breaks used as cut points).
    public static func split(_ text: String, maxUTF8Bytes maxBytes: Int) -> [String] {
        precondition(maxBytes >= 4, "a part must hold at least one character")
        guard text.utf8.count > maxBytes else { return text.isEmpty ? [] : [text] }
        var parts: [String] = []
        var current = ""
        func flush() {
            if !current.isEmpty { parts.append(current) }
            current = ""
        }
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            var line = String(line)
            let joined = current.isEmpty ? line : current + "\n" + line
            if joined.utf8.count <= maxBytes {
                current = joined
                continue
            }
            flush()
            while line.utf8.count > maxBytes {
                let head = prefix(line, maxUTF8Bytes: maxBytes)
                parts.append(head)
                line.removeFirst(head.count)
            }
            current = line
        }
        flush()
        return parts
    }

    /// Readable plain text from an HTML body: tags dropped, block ends become
    /// line breaks, the common entities decoded, runs of blank space collapsed.
    public static func plainText(fromHTML html: String) -> String {
        var text = ""
        var inTag = false
        var tag = ""
        for character in html {
            if inTag {
                if character == ">" {
                    inTag = false
                    let name = tag.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: "/ "))
                        .split(separator: " ").first.map(String.init) ?? ""
                    if ["p", "br", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "br/"].contains(name) {
                        text.append("\n")
                    }
                } else {
                    tag.append(character)
                }
            } else if character == "<" {
                inTag = true
                tag = ""
            } else {
                text.append(character)
            }
        }
        for (entity, value) in [
            ("&nbsp;", " "), ("&lt;", "<"), ("&gt;", ">"), ("&quot;", "\""), ("&#39;", "'"), ("&ldquo;", "“"),
            ("&rdquo;", "”"), ("&amp;", "&"),
        ] {
            text = text.replacingOccurrences(of: entity, with: value)
        }
        let lines = text.split(separator: "\n").map {
            $0.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" }).joined(separator: " ")
        }
        return lines.filter { !$0.isEmpty }.joined(separator: "\n")
    }
}
