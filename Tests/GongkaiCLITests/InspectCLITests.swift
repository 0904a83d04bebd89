import Foundation
import GongkaiCore
import Testing

/// `gongkai inspect`, run as the built binary over the shipped portal, WeChat
/// and Weibo channel files and an outbox that has published nothing yet: every
/// inspected column is flagged, the home page and the accounts as single-item
/// vetoes.
@Suite("gongkai CLI: inspect (quarterly check)")
struct InspectCLITests {
    let directory: URL
    let cli: CLIProcess

    init() throws {
        directory = try CLIProcess.temporaryDirectory()
        let channels = directory.appendingPathComponent("channels")
        try FileManager.default.createDirectory(at: channels, withIntermediateDirectories: true)
        let shipped = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("channels")
        for name in ["portal.yaml", "wechat.yaml", "weibo.yaml"] {
            try FileManager.default.copyItem(at: shipped.appendingPathComponent(name), to: channels.appendingPathComponent(name))
        }
        cli = CLIProcess(directory: directory)
    }

    @Test func writesTheQuarterInEveryFormatAndKeepsIt() async throws {
        let item = String(decoding: try JSONEncoder().encode(SampleDisclosures.notice), as: UTF8.self)
        #expect(try await cli.run(["submit", "-"], stdin: item).status == 0)

        let table = try await cli.run(["inspect", "--quarter", "2026Q4", "--lang", "en"])
        #expect(table.status == 0, "\(table.stderr)")
        #expect(table.stdout.hasPrefix("Website and new-media inspection, 2026 Q4"))
        #expect(table.stdout.contains("single-item veto risk: never published"))
        #expect(table.stdout.contains("3 single-item veto risks"))

        let csv = try await cli.run(["inspect", "--quarter", "2026Q4", "--format", "csv"])
        #expect(csv.status == 0)
        #expect(csv.stdoutBytes.starts(with: [0xEF, 0xBB, 0xBF]))
        #expect(csv.stdout.hasPrefix("2026年第四季度政府网站与政务新媒体检查报告\r\n"))
        #expect(csv.stdout.contains("\r\n渠道,名称,检查对象,最近发布,距检查日天数,阈值（天）,结论,最近发布事项\r\n"))

        let json = try await cli.run(["inspect", "--quarter", "2026Q4", "--format", "json", "--save", "--inspect-new-media-days", "10"])
        #expect(json.status == 0, "\(json.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect(object["quarter"] as? String == "2026Q4")
        #expect((object["thresholds"] as? [String: Any])?["newMediaDays"] as? Int == 10)
        let first = try #require((object["channels"] as? [[String: Any]])?.first)
        #expect(json.stdout.contains(#""singleItemVeto" : true"#))
        #expect(first["lastPublishedAt"] == nil)
        let reports = directory.appendingPathComponent("gongkai.sqlite.inspections")
        for name in ["2026Q4.json", "2026Q4.zh.html", "2026Q4.en.html", "2026Q4.zh.csv", "2026Q4.en.csv"] {
            #expect(FileManager.default.fileExists(atPath: reports.appendingPathComponent(name).path), "\(name)")
        }

        let kept = try await cli.run(["inspect", "--quarter", "2026Q4", "--kept", "--format", "html", "--output", "q4.html"])
        #expect(kept.status == 0, "\(kept.stderr)")
        let html = try String(contentsOf: directory.appendingPathComponent("q4.html"), encoding: .utf8)
        #expect(html.hasPrefix("<!DOCTYPE html>") && html.contains("<tr class=\"veto\">"))

        let none = try await cli.run(["inspect", "--quarter", "2025Q1", "--kept"])
        #expect(none.status == 5)
        #expect(none.stderr.contains("no quarterly check kept for 2025Q1"))

        let bad = try await cli.run(["inspect", "--quarter", "2026Q5"])
        #expect(bad.status == 64)
        #expect(bad.stderr.contains("--quarter must look like 2026Q4"))
    }
}
