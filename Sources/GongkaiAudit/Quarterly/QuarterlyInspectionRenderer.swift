import Foundation
import GongkaiCore

/// Prints the quarterly check: a terminal table, JSON, CSV (UTF-8 with a BOM,
/// one block per section) or a self-contained HTML page to file, the
/// single-item-veto risks first in each.
public enum QuarterlyInspectionRenderer {
    public enum Format: String, Sendable, CaseIterable {
        case table, json, csv, html
    }

    public static func render(_ report: QuarterlyInspection, format: Format, language: ReportLanguage) -> String {
        switch format {
        case .table: return table(report, language)
        case .json: return JSONOutput.string(report)
        case .csv: return csv(report, language)
        case .html: return html(report, language)
        }
    }

    /// One section: a heading, its table and an optional note.
    struct Section {
        var title: String
        var headers: [String]
        var rows: [[String]]
        /// A CSS class per row (`veto`, `late`, `ok`) for the HTML page.
        var classes: [String] = []
        var empty: String
        var note: String?
    }

    static func title(_ report: QuarterlyInspection, _ language: ReportLanguage) -> String {
        let quarter = report.quarter.label(chinese: language == .zh)
        return language == .zh ? "\(quarter)政府网站与政务新媒体检查报告" : "Website and new-media inspection, \(quarter)"
    }

    static func facts(_ report: QuarterlyInspection, _ language: ReportLanguage) -> [(String, String)] {
        let zh = language == .zh
        return [
            (
                zh ? "检查季度" : "quarter",
                zh
                    ? "\(report.quarter)（\(report.quarter.firstDay) 至 \(report.quarter.lastDay)）"
                    : "\(report.quarter) (\(report.quarter.firstDay) to \(report.quarter.lastDay))"
            ),
            (zh ? "检查时点" : "checked as of", local(report.checkedAt) + (report.complete ? "" : (zh ? "（季度未结束）" : " (quarter still running)"))),
            (zh ? "生成时间" : "generated at", local(report.generatedAt)),
            (
                zh ? "检查阈值" : "thresholds",
                zh
                    ? "首页及动态要闻类栏目 \(report.thresholds.homePageDays) 天；通知公告、政策文件类栏目 \(report.thresholds.noticeDays) 天；政务新媒体 \(report.thresholds.newMediaDays) 天"
                    : "home page and news \(report.thresholds.homePageDays) days; notices and policy documents \(report.thresholds.noticeDays) days; new media \(report.thresholds.newMediaDays) days"
            ),
        ]
    }

    static func verdict(_ report: QuarterlyInspection, _ language: ReportLanguage) -> String {
        let vetoes = report.channels.filter(\.singleItemVeto).count
        let stale = report.channels.filter { $0.overdue && !$0.singleItemVeto }.count
        let missed = report.missedCount
        switch language {
        case .zh:
            var parts: [String] = []
            parts.append(vetoes == 0 ? "无单项否决风险" : "\(vetoes) 项单项否决风险")
            if stale > 0 { parts.append("\(stale) 个栏目超期未更新") }
            parts.append(missed == 0 ? "法定时限均已遵守" : "\(missed) 项逾期")
            return "结论：" + parts.joined(separator: "；") + "。"
        case .en:
            var parts: [String] = []
            parts.append(vetoes == 0 ? "no single-item veto risk" : "\(vetoes) single-item veto risk\(vetoes == 1 ? "" : "s")")
            if stale > 0 { parts.append("\(stale) column\(stale == 1 ? "" : "s") not updated in time") }
            parts.append(missed == 0 ? "every legal deadline met" : "\(missed) deadline\(missed == 1 ? "" : "s") missed")
            return "Verdict: " + parts.joined(separator: "; ") + "."
        }
    }

    /// `2026-11-20 12:00`: an instant for people, in Beijing time (the JSON keeps RFC 3339).
    static func local(_ time: JSONTime) -> String {
        String(time.description.prefix(16)).replacingOccurrences(of: "T", with: " ")
    }

    /// `3d4h`, `2h15m`, `5m`, `<1m`: the time a withdrawal or correction took, to the minute.
    public static func duration(_ millis: Int64) -> String {
        let minutes = millis / 60_000
        guard minutes > 0 else { return "<1m" }
        return DurationText.format(minutes * 60_000 >= 86_400_000 ? minutes / 60 * 3_600_000 : minutes * 60_000)
    }

    static func sections(_ report: QuarterlyInspection, _ language: ReportLanguage) -> [Section] {
        let zh = language == .zh
        var sections: [Section] = []

        let checks = report.channels.map { check -> [String] in
            let verdict: String
            switch (check.singleItemVeto, check.overdue, check.lastPublishedAt == nil) {
            case (true, _, true): verdict = zh ? "单项否决风险：从未发布" : "single-item veto risk: never published"
            case (true, _, false): verdict = zh ? "单项否决风险" : "single-item veto risk"
            case (false, true, true): verdict = zh ? "从未发布" : "never published"
            case (false, true, false): verdict = zh ? "超期未更新" : "not updated in time"
            default: verdict = zh ? "正常" : "ok"
            }
            return [
                check.channelID, check.channelName, check.column.label(chinese: zh),
                check.lastPublishedAt.map { DeliveryDeadline.day(of: $0.millis).description } ?? "—",
                check.daysSince.map { String($0) } ?? "—", String(check.thresholdDays), verdict, check.lastItemID ?? "",
            ]
        }
        sections.append(
            Section(
                title: zh ? "一、各渠道更新情况" : "1. Updates per channel",
                headers: zh
                    ? ["渠道", "名称", "检查对象", "最近发布", "距检查日天数", "阈值（天）", "结论", "最近发布事项"]
                    : ["channel", "name", "checked as", "last publication", "days before the check", "threshold (days)", "verdict", "last item"],
                rows: checks,
                classes: report.channels.map { $0.singleItemVeto ? "veto" : $0.overdue ? "late" : "ok" },
                empty: zh ? "没有需要检查的公开渠道（门户网站、公开平台、微信、微博）。" : "No public channel to inspect (portal, platform, WeChat, Weibo).",
                note: zh
                    ? "首页及动态要闻类栏目、政务新媒体超过阈值未更新为单项否决项（国办秘函〔2019〕19号）；通知公告、政策文件类栏目超期未更新计入“栏目不更新”。"
                    : "A home page or new-media account not updated within its threshold is a single-item veto (国办秘函〔2019〕19号); a notices or policy column past its threshold counts as a column not updated."))

        if let pages = report.publicPages {
            let headers = zh
                ? ["核查时间", "页面数", "显示旧版本或其他内容", "页面缺失", "已撤回仍可见", "无法访问", "含死链页面", "死链", "附件无法下载或不符"]
                : ["checked at", "pages", "stale version or other content", "missing", "withdrawn, still shown", "could not be fetched", "pages with dead links", "dead links", "broken attachments"]
            let row = [
                local(pages.checkedAt), String(pages.pages), String(pages.staleVersions), String(pages.missing),
                String(pages.stillShownAfterWithdrawal), String(pages.unchecked), String(pages.pagesWithDeadLinks),
                String(pages.deadLinks), String(pages.brokenAttachments),
            ]
            let findings = pages.staleVersions + pages.missing + pages.stillShownAfterWithdrawal + pages.deadLinks + pages.brokenAttachments
            sections.append(
                Section(
                    title: zh ? "二、公开页面核查（公众所见）" : "2. Public pages (what citizens see)", headers: headers, rows: [row],
                    classes: [findings > 0 ? "late" : "ok"], empty: "",
                    note: pages.withinQuarter
                        ? nil
                        : (zh ? "最近一次核查不在本季度内。" : "The last public-page check was not made within this quarter.")))
            sections.append(
                Section(
                    title: zh ? "公开页面核查：按渠道" : "Public pages by channel",
                    headers: PublicPageRenderer.summaryHeaders(language), rows: pages.channels.map(PublicPageRenderer.summaryCells),
                    empty: zh ? "无。" : "None."))
        } else {
            sections.append(
                Section(
                    title: zh ? "二、公开页面核查（公众所见）" : "2. Public pages (what citizens see)", headers: [], rows: [],
                    empty: zh
                        ? "尚无公开页面核查结果：运行 gongkai reconcile --public，或设置 reconcile.publicInterval。"
                        : "No public-page check kept yet: run gongkai reconcile --public, or set reconcile.publicInterval."))
        }

        sections.append(
            Section(
                title: zh ? "三、本季度到期的法定时限（按投递计：事项 × 渠道）" : "3. Legal deadlines due in the quarter (per delivery: item × channel)",
                headers: zh ? ["规则", "按时", "逾期", "未到期"] : ["rule", "met", "missed", "open"],
                rows: report.deadlines.map {
                    [$0.rule.label(chinese: zh, policy: policy(of: report)), String($0.met), String($0.missed), String($0.open)]
                },
                classes: report.deadlines.map { $0.missed > 0 ? "late" : "ok" }, empty: ""))
        sections.append(
            Section(
                title: zh ? "逾期明细" : "Missed deadlines",
                headers: zh ? ["事项", "标题", "渠道", "规则", "应于", "完成于", "逾期工作日"] : ["item", "title", "channel", "rule", "due", "done", "workdays late"],
                rows: report.missed.map {
                    [
                        $0.itemID, $0.title, $0.channelID, $0.rule.shortLabel(chinese: zh), $0.dueOn.description,
                        $0.doneOn?.description ?? (zh ? "尚未完成" : "not yet"), String($0.lateWorkdays),
                    ]
                },
                classes: report.missed.map { _ in "late" }, empty: zh ? "无逾期。" : "None missed.",
                note: report.missedNotListed == 0 ? nil : (zh ? "另有 \(report.missedNotListed) 项未列出。" : "\(report.missedNotListed) more not listed.")))

        func reachCell(_ propagation: QuarterlyInspection.Propagation) -> String {
            propagation.channels.map { reach in
                switch reach.state {
                case .done: return "\(reach.channelID) \(duration(reach.durationMillis ?? 0))"
                case .pending: return "\(reach.channelID) " + (zh ? "未完成" : "pending")
                case .notNeeded: return "\(reach.channelID) " + (zh ? "无需处理" : "not needed")
                }
            }.joined(separator: zh ? "；" : "; ")
        }
        func total(_ propagation: QuarterlyInspection.Propagation) -> String {
            propagation.durationMillis.map(duration) ?? (zh ? "未完成" : "pending")
        }
        sections.append(
            Section(
                title: zh ? "四、本季度撤回及各渠道完成用时" : "4. Withdrawals in the quarter and time to reach every channel",
                headers: zh ? ["事项", "标题", "撤回时间", "原因", "各渠道用时", "全部完成用时", "时限"] : ["item", "title", "requested", "reason", "per channel", "all channels", "deadline"],
                rows: report.withdrawals.map {
                    [
                        $0.itemID, $0.title, local($0.requestedAt), $0.reason ?? "", reachCell($0), total($0),
                        $0.deadline.map { $0.label(chinese: zh) } ?? "—",
                    ]
                },
                classes: report.withdrawals.map { row in
                    if case .some(.late) = row.deadline { return "late" }
                    return row.completedAt == nil ? "late" : "ok"
                },
                empty: zh ? "本季度无撤回。" : "No withdrawals this quarter."))
        sections.append(
            Section(
                title: zh ? "五、本季度更正（新版本）及各渠道完成用时" : "5. Corrections (new versions) in the quarter and time to reach every channel",
                headers: zh ? ["事项", "标题", "版本", "提交时间", "各渠道用时", "全部完成用时"] : ["item", "title", "version", "submitted", "per channel", "all channels"],
                rows: report.corrections.map {
                    [$0.itemID, $0.title, $0.version.map { "v\($0)" } ?? "", local($0.requestedAt), reachCell($0), total($0)]
                },
                classes: report.corrections.map { $0.completedAt == nil ? "late" : "ok" },
                empty: zh ? "本季度无更正。" : "No corrections this quarter.",
                note: report.propagationsNotListed == 0
                    ? nil : (zh ? "另有 \(report.propagationsNotListed) 项撤回或更正未列出。" : "\(report.propagationsNotListed) more withdrawals or corrections not listed.")))
        return sections
    }

    /// The deadline counts in the rule labels come from the tallies themselves, so a kept report shows its own.
    static func policy(of report: QuarterlyInspection) -> DeadlinePolicy {
        var policy = DeadlinePolicy()
        for tally in report.deadlines {
            switch tally.rule {
            case .penaltyAndLicence: policy.penaltyAndLicenceWorkdays = tally.workdays
            case .general: policy.generalWorkdays = tally.workdays
            case .interpretation: policy.interpretationWorkdays = tally.workdays
            case .response: policy.responseWorkdays = tally.workdays
            case .feedback: policy.feedbackWorkdays = tally.workdays
            case .withdrawal: policy.withdrawalWorkdays = tally.workdays
            }
        }
        return policy
    }

    static func table(_ report: QuarterlyInspection, _ language: ReportLanguage) -> String {
        var text = title(report, language) + "\n"
        for (label, value) in facts(report, language) { text += label + (language == .zh ? "：" : ": ") + value + "\n" }
        text += verdict(report, language) + "\n"
        for section in sections(report, language) {
            text += "\n" + section.title + "\n"
            if section.rows.isEmpty {
                text += section.empty + "\n"
            } else {
                var table = TextTable(section.headers)
                for row in section.rows { table.add(row) }
                text += table.render() + "\n"
            }
            if let note = section.note { text += note + "\n" }
        }
        return text
    }

    static func csv(_ report: QuarterlyInspection, _ language: ReportLanguage) -> String {
        func line(_ fields: [String]) -> String { fields.map(ReconcileRenderer.csvField).joined(separator: ",") }
        var lines = [line([title(report, language)])]
        for (label, value) in facts(report, language) { lines.append(line([label, value])) }
        lines.append(line([verdict(report, language)]))
        for section in sections(report, language) {
            lines.append("")
            lines.append(line([section.title]))
            if section.rows.isEmpty {
                lines.append(line([section.empty]))
                continue
            }
            lines.append(line(section.headers))
            for row in section.rows { lines.append(line(row)) }
            if let note = section.note { lines.append(line([note])) }
        }
        return "\u{FEFF}" + lines.joined(separator: "\r\n") + "\r\n"
    }

    static func html(_ report: QuarterlyInspection, _ language: ReportLanguage) -> String {
        let escape = ReconcileRenderer.escape
        var body = "<h1>\(escape(title(report, language)))</h1>\n<table class=\"facts\">"
        for (label, value) in facts(report, language) { body += "<tr><th>\(escape(label))</th><td>\(escape(value))</td></tr>" }
        body += "</table>\n<p class=\"verdict\(report.hasSingleItemVetoRisk ? " veto" : "")\">\(escape(verdict(report, language)))</p>\n"
        for section in sections(report, language) {
            body += "<h2>\(escape(section.title))</h2>\n"
            if section.rows.isEmpty {
                body += "<p>\(escape(section.empty))</p>\n"
            } else {
                body += "<table><thead><tr>" + section.headers.map { "<th>\(escape($0))</th>" }.joined() + "</tr></thead><tbody>"
                for (index, row) in section.rows.enumerated() {
                    let css = index < section.classes.count ? " class=\"\(section.classes[index])\"" : ""
                    body += "<tr\(css)>" + row.map { "<td>\(escape($0))</td>" }.joined() + "</tr>"
                }
                body += "</tbody></table>\n"
            }
            if let note = section.note { body += "<p class=\"note\">\(escape(note))</p>\n" }
        }
        let signature = language == .zh
            ? "<p class=\"sign\">检查人：__________　　审核人：__________　　日期：__________</p>"
            : "<p class=\"sign\">Checked by: __________　　Reviewed by: __________　　Date: __________</p>"
        return """
            <!DOCTYPE html>
            <html lang="\(language == .zh ? "zh-CN" : "en")"><head><meta charset="utf-8">
            <title>\(escape(title(report, language)))</title>
            <style>
            body{font-family:system-ui,"PingFang SC","Microsoft YaHei",sans-serif;margin:2em;color:#222}
            table{border-collapse:collapse;margin:0.6em 0 1em;font-size:14px}
            th,td{border:1px solid #ccc;padding:4px 8px;text-align:left;vertical-align:top}
            th{background:#f2f2f2} table.facts th{background:none;border:none;padding-left:0} table.facts td{border:none}
            tr.veto td{background:#ffccc7;font-weight:bold} tr.late td{background:#fff1f0} tr.ok td{background:#f6ffed}
            .verdict{font-weight:bold;font-size:16px} .verdict.veto{color:#a8071a} .note{color:#555;font-size:13px}
            .sign{margin-top:3em}
            </style></head><body>
            \(body)\(signature)
            </body></html>

            """
    }
}
