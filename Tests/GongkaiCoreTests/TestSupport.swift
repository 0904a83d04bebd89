import Foundation
@testable import GongkaiCore

/// The fixed "today" of every test: the samples are dated up to this day.
let testToday = CalendarDate(year: 2026, month: 11, day: 20)!

/// The field paths `item` breaks, in order.
func issueFields(_ item: DisclosureItem, limits: ItemLimits = .standard) -> [String] {
    ItemValidator.issues(in: item, limits: limits, today: testToday).map(\.field)
}

/// Encodes items as compact JSON (one object per item).
func jsonBytes(_ item: DisclosureItem) -> [UInt8] {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    return Array(try! encoder.encode(item))
}

func jsonBytes(_ text: String) -> [UInt8] { Array(text.utf8) }

/// A compact JSON object for `item`, patched by `patch` (applied to a parsed dictionary).
func jsonText(_ item: DisclosureItem, patch: (inout [String: Any]) -> Void = { _ in }) -> String {
    var object = try! JSONSerialization.jsonObject(with: Data(jsonBytes(item))) as! [String: Any]
    patch(&object)
    let data = try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
    return String(decoding: data, as: UTF8.self)
}

/// Decodes, returning the error instead of throwing it.
func decodeError(_ text: String) -> GongkaiError? {
    do throws(GongkaiError) {
        _ = try ItemDecoding.decodeSubmission(Array(text.utf8))
        return nil
    } catch {
        return error
    }
}

/// The package root, for the schema and docs files.
let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()
