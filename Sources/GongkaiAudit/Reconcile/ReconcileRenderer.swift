import Foundation
import GongkaiCore

/// Prints a reconciliation report: a terminal table, JSON, CSV (with a UTF-8
/// BOM so Excel reads the Chinese text) or a self-contained HTML page with the
/// summary first.
public enum ReconcileRenderer {
    public enum Format: String, Sendable, CaseIterable {
        case table, json, csv, html
    }

    public static func render(_ report: ReconcileReport, format: Format, language: ReportLanguage) -> String {
        switch format {
        case .table: return table(report, language)
        case .json: return JSONOutput.string(report)
        case .csv: return csv(report, language)
        case .html: return html(report, language)
        }
    }

    /// The public-page view alone, as the terminal table shows it.
    public static func renderPublicPages(_ pages: PublicPageReport, language: ReportLanguage) -> String {
        var text = PublicPageRenderer.title(language) + "\n"
        var summary = TextTable(PublicPageRenderer.summaryHeaders(language))
        for channel in pages.channels { summary.add(PublicPageRenderer.summaryCells(channel)) }
        text += summary.render()
        if !pages.rows.isEmpty {
            var rows = TextTable(PublicPageRenderer.headers(language))
            for row in pages.rows { rows.add(PublicPageRenderer.cells(row, language)) }
            text += "\n\n" + rows.render()
        }
        return text
    }

    static func headers(_ language: ReportLanguage) -> [String] {
        switch language {
        case .zh: return ["渠道", "事项", "状态", "应有版本", "平台版本", "投递状态", "期限", "时限", "说明", "修复"]
        case .en: return ["channel", "item", "class", "expected", "shown", "delivery", "due", "deadline", "detail", "repair"]
        }
    }

    static func summaryHeaders(_ language: ReportLanguage) -> [String] {
        let classes = ReconcileClass.allCases.map { "\($0.rawValue) \($0.label(language))" }
        switch language {
        case .zh: return ["渠道", "类型", "核对方式"] + classes + ["逾期", "即将到期", "问题"]
        case .en: return ["channel", "kind", "method"] + classes + ["late", "at risk", "problem"]
        }
    }

    static func methodLabel(_ method: String, _ language: ReportLanguage) -> String {
        guard language == .zh else { return method }
        switch method {
        case "listing": return "平台列表"
        case "receipts": return "投递回执（无法列表）"
        case "failed": return "核对失败"
        default: return method
        }
    }

    static func cells(_ row: ReconcileRow, _ language: ReportLanguage) -> [String] {
        [
            row.channelID, row.itemID ?? (row.remoteID.map { "(\($0))" } ?? "—"),
            "\(row.status.rawValue) \(row.status.label(language))", row.expectedVersion.map { "v\($0)" } ?? "—",
            row.shownVersion.map { "v\($0)" } ?? "—", row.deliveryState ?? "—", row.due ?? "—",
            deadlineCell(row, language), row.detail, row.repair ?? "",
        ]
    }

    /// The row's own deadline, and a consultation's feedback after it.
    static func deadlineCell(_ row: ReconcileRow, _ language: ReportLanguage) -> String {
        let chinese = language == .zh
        let own = row.deadline.map { $0.label(chinese: chinese) } ?? "—"
        guard let feedback = row.feedback else { return own }
        return own + (chinese ? "；" : "; ") + feedback.label(chinese: chinese)
    }

    static func summaryCells(_ summary: ReconcileReport.ChannelSummary, _ language: ReportLanguage) -> [String] {
        [summary.channelID, summary.kind, methodLabel(summary.method, language)]
            + ReconcileClass.allCases.map { String(summary.count($0)) }
            + [String(summary.late), String(summary.atRisk), summary.failure ?? ""]
    }

    static func verdict(_ report: ReconcileReport, _ language: ReportLanguage) -> String {
        switch (report.exitStatus, language) {
        case (0, .zh): return "结论：各渠道一致。"
        case (1, .zh): return "结论：发现 \(report.differenceCount) 处不一致。"
        case (_, .zh): return "结论：核对未能完成（有渠道无法核对）。"
        case (0, .en): return "Verdict: every channel is consistent."
        case (1, .en): return "Verdict: \(report.differenceCount) differences found."
        case (_, .en): return "Verdict: the audit could not complete (a channel could not be checked)."
        }
    }

    static func table(_ report: ReconcileReport, _ language: ReportLanguage) -> String {
        var summary = TextTable(summaryHeaders(language))
        for channel in report.channels { summary.add(summaryCells(channel, language)) }
        var text = summary.render() + "\n\n"
        if !report.rows.isEmpty {
            var rows = TextTable(headers(language))
            for row in report.rows { rows.add(cells(row, language)) }
            text += rows.render() + "\n\n"
        }
        if let pages = report.publicPages { text += renderPublicPages(pages, language: language) + "\n\n" }
        return text + verdict(report, language)
    }

    static func csv(_ report: ReconcileReport, _ language: ReportLanguage) -> String {
        var lines = [headers(language).map(csvField).joined(separator: ",")]
        for row in report.rows {
            var fields = cells(row, language)
            fields[2] = row.status.rawValue
            lines.append(fields.map(csvField).joined(separator: ","))
        }
        if let pages = report.publicPages, !pages.rows.isEmpty {
            // A second block with its own header line: the public pages.
            lines.append("")
            lines.append(PublicPageRenderer.headers(language).map(csvField).joined(separator: ","))
            for row in pages.rows {
                lines.append(PublicPageRenderer.cells(row, language, symbolOnly: true).map(csvField).joined(separator: ","))
            }
        }
        return "\u{FEFF}" + lines.joined(separator: "\r\n") + "\r\n"
    }

    static func csvField(_ text: String) -> String {
        // A leading = + - @ would make a spreadsheet run the cell as a formula.
        var text = text
        if let first = text.first, "=+-@".contains(first), text.count > 1 { text = "'" + text }
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    static func html(_ report: ReconcileReport, _ language: ReportLanguage) -> String {
        let title = language == .zh ? "政务公开多平台一致性核对报告" : "gongkai reconciliation report"
        let when = Timestamp.iso8601(report.startedAt)
        func tableHTML(_ headers: [String], _ rows: [[String]], classes: [String]? = nil) -> String {
            var html = "<table><thead><tr>" + headers.map { "<th>\(escape($0))</th>" }.joined() + "</tr></thead><tbody>"
            for (index, row) in rows.enumerated() {
                let css = classes.map { " class=\"\($0[index])\"" } ?? ""
                html += "<tr\(css)>" + row.map { "<td>\(escape($0))</td>" }.joined() + "</tr>"
            }
            return html + "</tbody></table>"
        }
        let summary = tableHTML(summaryHeaders(language), report.channels.map { summaryCells($0, language) })
        let rowClasses = report.rows.map { row -> String in
            switch row.status {
            case .inSync: return "ok"
            case .unchecked: return "unchecked"
            case .missing, .extra, .differs: return "diff"
            }
        }
        let rows = report.rows.isEmpty
            ? "<p>" + (language == .zh ? "没有需要关注的记录。" : "No rows need attention.") + "</p>"
            : tableHTML(headers(language), report.rows.map { cells($0, language) }, classes: rowClasses)
        var publicSection = ""
        if let pages = report.publicPages {
            let css = pages.rows.map { row -> String in
                switch row.status {
                case .inSync: return row.needsAttention ? "diff" : "ok"
                case .unchecked: return "unchecked"
                case .missing, .extra, .differs: return "diff"
                }
            }
            publicSection = "<h2>\(escape(PublicPageRenderer.title(language)))</h2>\n"
                + tableHTML(PublicPageRenderer.summaryHeaders(language), pages.channels.map(PublicPageRenderer.summaryCells))
                + (pages.rows.isEmpty
                    ? "<p>" + (language == .zh ? "各页面均显示当前版本，无死链和附件异常。" : "Every page shows the current version; no dead links or broken attachments.") + "</p>"
                    : tableHTML(PublicPageRenderer.headers(language), pages.rows.map { PublicPageRenderer.cells($0, language) }, classes: css))
        }
        return """
            <!DOCTYPE html>
            <html lang="\(language == .zh ? "zh-CN" : "en")"><head><meta charset="utf-8">
            <title>\(escape(title))</title>
            <style>
            body{font-family:system-ui,"PingFang SC","Microsoft YaHei",sans-serif;margin:2em;color:#222}
            table{border-collapse:collapse;margin:1em 0;font-size:14px}
            th,td{border:1px solid #ccc;padding:4px 8px;text-align:left;vertical-align:top}
            th{background:#f2f2f2} tr.diff td{background:#fff1f0} tr.unchecked td{background:#fffbe6}
            .verdict{font-weight:bold;font-size:16px}
            </style></head><body>
            <h1>\(escape(title))</h1>
            <p>\(language == .zh ? "核对时间" : "Checked at")：\(escape(when))</p>
            <p class="verdict">\(escape(verdict(report, language)))</p>
            <h2>\(language == .zh ? "各渠道汇总" : "Summary by channel")</h2>
            \(summary)
            <h2>\(language == .zh ? "明细" : "Rows")</h2>
            \(rows)
            \(publicSection)
            </body></html>

            """
    }
}
