import Foundation
import GongkaiCore

/// Prints a ``GovAnnualReport``: part 二 as the national template lays it out
/// (one four-column table, a heading row per clause of 第二十条), the notes
/// that say how gongkai counted each cell, and gongkai's appendix. As a
/// terminal table, JSON, CSV (UTF-8 with BOM, one cell per line so that a
/// spreadsheet can sum it) or a self-contained HTML page.
public enum GovAnnualReportRenderer {
    public enum Format: String, Sendable, CaseIterable {
        case table, json, csv, html
    }

    public static func render(_ report: GovAnnualReport, format: Format, language: ReportLanguage) -> String {
        switch format {
        case .table: return table(report, language)
        case .json: return JSONOutput.string(report)
        case .csv: return csv(report, language)
        case .html: return html(report, language)
        }
    }

    /// One clause of 第二十条 as the template prints it: its heading, the column
    /// headings (信息内容 first), and a row per kind of information.
    struct Clause {
        struct Row {
            var label: String
            var values: [String]
            /// Set when gongkai does not record what the row counts: the values are 0 by default, not by count.
            var notRecorded = false
        }
        var heading: String
        var columns: [String]
        var rows: [Row]
    }

    static func title(_ report: GovAnnualReport, _ language: ReportLanguage) -> String {
        language == .zh
            ? "\(report.year)年政府信息公开工作年度报告"
            : "Annual report on government information disclosure, \(report.year)"
    }

    static func partTitle(_ language: ReportLanguage) -> String {
        language == .zh ? "二、主动公开政府信息情况" : "II. Government information disclosed proactively"
    }

    static func clauses(_ report: GovAnnualReport, _ language: ReportLanguage) -> [Clause] {
        let zh = language == .zh
        func counts(_ counts: GovAnnualReport.DocumentCounts) -> [String] {
            [String(counts.issued), String(counts.repealed), String(counts.inForce)]
        }
        let information = zh ? "信息内容" : "Information"
        let decisions = zh ? "本年处理决定数量" : "Decisions this year"
        let fee = report.feesRecorded ? String(format: "%.2f", report.feeAmount) : "0"
        return [
            Clause(
                heading: zh ? "第二十条第（一）项" : "Article 20 (1)",
                columns: [information] + (zh ? ["本年制发件数", "本年废止件数", "现行有效件数"] : ["Issued this year", "Repealed this year", "In force"]),
                rows: [
                    .init(label: zh ? "规章" : "Regulations (规章)", values: counts(report.regulations)),
                    .init(label: zh ? "行政规范性文件" : "Normative documents (行政规范性文件)", values: counts(report.normativeDocuments)),
                ]),
            Clause(
                heading: zh ? "第二十条第（五）项" : "Article 20 (5)", columns: [information, decisions],
                rows: [.init(label: zh ? "行政许可" : "Administrative licences (行政许可)", values: [String(report.licenceDecisions)])]),
            Clause(
                heading: zh ? "第二十条第（六）项" : "Article 20 (6)", columns: [information, decisions],
                rows: [
                    .init(label: zh ? "行政处罚" : "Administrative penalties (行政处罚)", values: [String(report.penaltyDecisions)]),
                    .init(
                        label: zh ? "行政强制" : "Administrative coercive measures (行政强制)",
                        values: [String(report.coerciveMeasureDecisions)], notRecorded: !report.coerciveMeasuresRecorded),
                ]),
            Clause(
                heading: zh ? "第二十条第（八）项" : "Article 20 (8)",
                columns: [information, zh ? "本年收费金额（万元）" : "Fees collected this year (10,000 yuan)"],
                rows: [
                    .init(label: zh ? "行政事业性收费" : "Administrative fees (行政事业性收费)", values: [fee], notRecorded: !report.feesRecorded)
                ]),
        ]
    }

    static func notRecorded(_ language: ReportLanguage) -> String {
        language == .zh ? "gongkai 未记录" : "not recorded by gongkai"
    }

    /// ``notRecorded(_:)`` in the language's parentheses, after a value.
    static func notRecordedRemark(_ language: ReportLanguage) -> String {
        language == .zh ? "（\(notRecorded(language))）" : " (\(notRecorded(language)))"
    }

    /// How gongkai counted each cell, in the order of the table.
    static func notes(_ report: GovAnnualReport, _ language: ReportLanguage) -> [String] {
        let zh = language == .zh
        var notes = [
            zh ? "只统计主动公开的事项；在本年年底前撤回的事项不计入本部分任何一项（撤回数见附录）。"
                : "Only proactively disclosed items count; an item withdrawn by the end of the year counts in no cell of this part (the appendix counts withdrawals).",
            zh ? "第二十条第（一）项按 normative 类事项统计：体裁分类为“规章”的计为规章，其余计为行政规范性文件。"
                : "Article 20 (1) counts items of kind normative: those whose genre (体裁分类) is 规章 as regulations, every other one as a normative document.",
            zh ? "本年制发件数按成文日期统计；本年废止件数统计有效性在本年由有效或已修改变为废止或失效的事项，以该版本的形成日期（formedOn，如有新值）或提交日（北京时间）为准；现行有效件数统计截至12月31日有效性为有效或已修改的事项（已修改的文件以修改后的文本继续有效）。"
                : "Issued counts by written date (成文日期); repealed counts items whose validity went from 有效 or 已修改 to 废止 or 失效 during the year, dated by that version's formedOn when it gives a new one, otherwise by the day it was submitted (Beijing time); in force counts items whose validity on 31 December is 有效 or 已修改 (an amended document stays in force as amended).",
            zh ? "行政许可、行政处罚按决定日期（decidedOn）统计。" : "Licences and penalties count by decision day (decidedOn).",
        ]
        if report.regulations == GovAnnualReport.DocumentCounts() {
            notes.append(
                zh ? "本年没有体裁分类为“规章”的事项，规章一行为0。"
                    : "No normative item has the genre 规章 this year: the regulations row is 0.")
        }
        if !report.coerciveMeasuresRecorded {
            notes.append(
                zh ? "行政强制：gongkai 没有行政强制类事项，未记录，按0填列。"
                    : "Coercive measures: gongkai has no kind for them; not recorded, shown as 0.")
        }
        if !report.feesRecorded {
            notes.append(
                zh ? "行政事业性收费：gongkai 没有收费类事项，未记录，按0填列。"
                    : "Administrative fees: gongkai discloses no fee items; not recorded, shown as 0.")
        }
        return notes
    }

    /// gongkai's appendix as (heading, [(label, count)]) blocks.
    static func appendix(_ report: GovAnnualReport, _ language: ReportLanguage) -> [(String, [(String, String)])] {
        let zh = language == .zh
        let counts = report.appendix
        let categoryNames: [DisclosureItem.Category: String] = [
            .decision: "决策公开", .execution: "执行公开", .management: "管理公开", .service: "服务公开", .result: "结果公开",
        ]
        let categories = DisclosureItem.Category.allCases.map { category in
            (zh ? categoryNames[category]! : category.rawValue, String(counts.itemsByCategory[category.rawValue] ?? 0))
        }
        let channels = counts.deliveredByChannel.sorted { $0.key < $1.key }.map { ($0.key, String($0.value)) }
        return [
            (zh ? "按五公开类别" : "Items by category (五公开)",
             [(zh ? "主动公开事项合计" : "items proactively disclosed", String(counts.proactiveItems))] + categories),
            (zh ? "按渠道发布" : "Items delivered by channel", channels),
            (zh ? "撤回与逾期" : "Withdrawals and late deliveries",
             [(zh ? "撤回" : "withdrawals", String(counts.withdrawals)),
              (zh ? "逾期投递" : "late deliveries", String(counts.lateDeliveries))]),
        ]
    }

    static func appendixTitle(_ language: ReportLanguage) -> String {
        language == .zh ? "附录：gongkai 统计" : "Appendix: gongkai's counts"
    }

    static func table(_ report: GovAnnualReport, _ language: ReportLanguage) -> String {
        var blocks = [title(report, language) + "\n" + partTitle(language)]
        for clause in clauses(report, language) {
            var table = TextTable(clause.columns)
            for row in clause.rows {
                table.add([row.label] + row.values.map { row.notRecorded ? $0 + notRecordedRemark(language) : $0 })
            }
            blocks.append(clause.heading + "\n" + table.render())
        }
        let notes = notes(report, language).enumerated().map { "\($0.offset + 1). \($0.element)" }
        blocks.append((language == .zh ? "说明" : "Notes") + "\n" + notes.joined(separator: "\n"))
        var appendixText = appendixTitle(language)
        for (heading, lines) in appendix(report, language) {
            var table = TextTable([heading, language == .zh ? "数量" : "count"])
            for (label, value) in lines { table.add([label, value]) }
            appendixText += "\n\n" + table.render()
        }
        blocks.append(appendixText)
        return blocks.joined(separator: "\n\n")
    }

    static func csv(_ report: GovAnnualReport, _ language: ReportLanguage) -> String {
        let zh = language == .zh
        let field = ReconcileRenderer.csvField
        var lines = [(zh ? ["条款", "信息内容", "指标", "数值", "备注"] : ["clause", "information", "figure", "value", "remark"])
            .joined(separator: ",")]
        for clause in clauses(report, language) {
            for row in clause.rows {
                for (column, value) in zip(clause.columns.dropFirst(), row.values) {
                    lines.append(
                        [clause.heading, row.label, column, value, row.notRecorded ? notRecorded(language) : ""].map(field)
                            .joined(separator: ","))
                }
            }
        }
        let count = zh ? "数量" : "count"
        for (heading, rows) in appendix(report, language) {
            for (label, value) in rows {
                lines.append([appendixTitle(language) + "：" + heading, label, count, value, ""].map(field).joined(separator: ","))
            }
        }
        return "\u{FEFF}" + lines.joined(separator: "\r\n") + "\r\n"
    }

    static func html(_ report: GovAnnualReport, _ language: ReportLanguage) -> String {
        let escape = ReconcileRenderer.escape
        let title = title(report, language)
        // The template's grid: four columns; a clause with one figure spans it over the three.
        var grid = ""
        for clause in clauses(report, language) {
            let span = clause.columns.count == 2 ? " colspan=\"3\"" : ""
            grid += "<tr><th colspan=\"4\" class=\"clause\">\(escape(clause.heading))</th></tr>\n"
            grid += "<tr>" + clause.columns.enumerated().map { index, column in
                "<th\(index == 0 ? "" : span)>\(escape(column))</th>"
            }.joined() + "</tr>\n"
            for row in clause.rows {
                let values = row.values.map { value in
                    row.notRecorded
                        ? "<td class=\"n unrecorded\"\(span)>\(escape(value))<span class=\"remark\">\(escape(notRecordedRemark(language)))</span></td>"
                        : "<td class=\"n\"\(span)>\(escape(value))</td>"
                }
                grid += "<tr><td class=\"label\">\(escape(row.label))</td>" + values.joined() + "</tr>\n"
            }
        }
        let notes = notes(report, language).map { "<li>\(escape($0))</li>" }.joined(separator: "\n")
        var appendixHTML = ""
        for (heading, rows) in appendix(report, language) {
            appendixHTML += "<h3>\(escape(heading))</h3>\n<table class=\"appendix\"><tbody>"
            if rows.isEmpty {
                appendixHTML += "<tr><td colspan=\"2\">\(language == .zh ? "无" : "none")</td></tr>"
            }
            for (label, value) in rows {
                appendixHTML += "<tr><td class=\"label\">\(escape(label))</td><td class=\"n\">\(escape(value))</td></tr>"
            }
            appendixHTML += "</tbody></table>\n"
        }
        return """
            <!DOCTYPE html>
            <html lang="\(language == .zh ? "zh-CN" : "en")"><head><meta charset="utf-8">
            <title>\(escape(title))</title>
            <style>
            body{font-family:"SimSun","Songti SC","Noto Serif CJK SC",serif;margin:2em auto;max-width:56em;color:#000}
            h1{text-align:center;font-size:22px} h2{font-size:18px} h3{font-size:15px;margin:1em 0 0}
            table{border-collapse:collapse;width:100%;margin:0.5em 0 1em;font-size:15px}
            th,td{border:1px solid #000;padding:6px 8px;text-align:center}
            th{font-weight:normal;background:#fff} th.clause{font-weight:bold;background:#f2f2f2}
            td.label{text-align:left} td.n{font-variant-numeric:tabular-nums}
            td.unrecorded,.remark{color:#666} .remark{font-size:12px}
            table.appendix{width:32em} ol{font-size:14px;line-height:1.6}
            </style></head><body>
            <h1>\(escape(title))</h1>
            <h2>\(escape(partTitle(language)))</h2>
            <table class="gov"><tbody>
            \(grid)</tbody></table>
            <h2>\(language == .zh ? "说明" : "Notes")</h2>
            <ol>
            \(notes)
            </ol>
            <h2>\(escape(appendixTitle(language)))</h2>
            \(appendixHTML)</body></html>

            """
    }
}
