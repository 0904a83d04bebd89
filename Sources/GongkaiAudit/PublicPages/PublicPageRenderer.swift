/// The public-page view's tables, for the reconciliation report's renderer:
/// a summary per channel, then the pages that need attention.
enum PublicPageRenderer {
    static func summaryHeaders(_ language: ReportLanguage) -> [String] {
        let classes = ReconcileClass.allCases.map { "\($0.rawValue) \(label($0, language))" }
        switch language {
        case .zh: return ["渠道", "类型", "页面数"] + classes + ["含死链页面", "死链", "附件异常"]
        case .en: return ["channel", "kind", "pages"] + classes + ["pages with dead links", "dead links", "broken attachments"]
        }
    }

    static func summaryCells(_ summary: PublicPageReport.ChannelSummary) -> [String] {
        [summary.channelID, summary.kind, String(summary.pages)]
            + ReconcileClass.allCases.map { String(summary.counts[$0.name] ?? 0) }
            + [String(summary.pagesWithDeadLinks), String(summary.deadLinks), String(summary.brokenAttachments)]
    }

    static func headers(_ language: ReportLanguage) -> [String] {
        switch language {
        case .zh: return ["渠道", "事项", "状态", "应有版本", "页面版本", "页面地址", "说明", "死链", "附件"]
        case .en: return ["channel", "item", "class", "expected", "shown", "page", "detail", "dead links", "attachments"]
        }
    }

    static func cells(_ row: PublicPageRow, _ language: ReportLanguage, symbolOnly: Bool = false) -> [String] {
        let attachments = row.brokenAttachments.map { "\($0.name): \($0.reason)" }
        let checked = language == .zh ? "查 \(row.attachmentsChecked) 个" : "\(row.attachmentsChecked) checked"
        return [
            row.channelID, row.itemID,
            symbolOnly ? row.status.rawValue : "\(row.status.rawValue) \(label(row.status, language))",
            row.expectedVersion.map { "v\($0)" } ?? "—", row.shownVersion.map { "v\($0)" } ?? "—", row.url, row.detail,
            row.deadLinks.isEmpty ? "0" : "\(row.deadLinks.count): " + row.deadLinks.map(\.url).joined(separator: " "),
            attachments.isEmpty ? (row.attachmentsChecked == 0 ? "—" : checked) : attachments.joined(separator: "; "),
        ]
    }

    /// The classes in words a reader of a public-page check expects.
    static func label(_ status: ReconcileClass, _ language: ReportLanguage) -> String {
        switch (status, language) {
        case (.inSync, .zh): return "显示当前版本"
        case (.missing, .zh): return "页面缺失"
        case (.extra, .zh): return "已撤回仍可见"
        case (.differs, .zh): return "内容不一致"
        case (.unchecked, .zh): return "无法访问"
        case (.inSync, .en): return "shows the current version"
        case (.missing, .en): return "page missing"
        case (.extra, .en): return "withdrawn, still shown"
        case (.differs, .en): return "shows other content"
        case (.unchecked, .en): return "could not be fetched"
        }
    }

    static func title(_ language: ReportLanguage) -> String {
        language == .zh ? "公开页面核查（公众所见）" : "Public pages (what citizens see)"
    }
}
