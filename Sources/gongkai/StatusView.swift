public import GongkaiAudit
public import GongkaiCore
public import GongkaiStore

/// Renders outbox state for terminals.
public enum StatusView {
    /// - Parameter deadlines: per delivery id, shown as a DUE column when given.
    public static func deliveries(
        _ records: [DeliveryRecord], title: String? = nil, deadlines: [Int64: DeliveryDeadline]? = nil,
        blockers: [Int64: PortalBlocker] = [:]
    ) -> String {
        var headers = ["ITEM", "CHANNEL", "STATE", "OP", "WANTED", "SHOWN", "ATTEMPTS", "NEXT"]
        if deadlines != nil { headers.append("DUE") }
        var table = TextTable(headers + ["LAST ERROR"])
        for record in records {
            var row = [
                record.itemID, record.channelID, record.state.rawValue, record.operation.rawValue,
                "v\(record.wantedVersion)", record.deliveredVersion.map { "v\($0)" } ?? "-", "\(record.attemptCount)",
                record.nextAttemptAt.map(Timestamp.iso8601) ?? "-",
            ]
            if let deadlines { row.append(deadlines[record.id]?.text ?? "-") }
            // A blocked row has no error of its own: say what holds it.
            let note = blockers[record.id]?.text ?? (record.state == .blocked ? record.holdReason : nil)
            table.add(row + [note ?? record.lastError ?? ""])
        }
        let body = records.isEmpty ? "(no deliveries)" : table.render()
        return title.map { "\($0)\n\(body)" } ?? body
    }

    public static func counts(_ counts: [String: [DeliveryState: Int]], channels: [String]) -> String {
        let states = DeliveryState.allCases
        var table = TextTable(["CHANNEL"] + states.map { $0.rawValue.uppercased() } + ["TOTAL"])
        let ids = Array(Set(channels).union(counts.keys)).sorted()
        for id in ids {
            let row = counts[id] ?? [:]
            table.add([id] + states.map { "\(row[$0] ?? 0)" } + ["\(row.values.reduce(0, +))"])
        }
        return table.render()
    }

    public static func item(
        _ item: ItemRecord, _ deliveries: [DeliveryRecord], deadlines: [Int64: DeliveryDeadline]? = nil,
        blockers: [Int64: PortalBlocker] = [:]
    ) -> String {
        var lines = [
            "item      \(item.id)  (\(item.kind), \(item.category))",
            "title     \(item.title)",
            "version   v\(item.currentVersion)  hash \(item.contentHash.prefix(16))…  review \(item.review)  attribute \(item.attribute)",
        ]
        if let at = item.withdrawnAt {
            lines.append("withdrawn \(Timestamp.iso8601(at))  reason: \(item.withdrawnReason ?? "")")
        }
        lines.append("due       \(item.dueOn ?? "no deadline computed (no calendar for the year, or none loaded)")")
        if let feedback = item.feedbackDueOn { lines.append("feedback  \(feedback) (the consultation's adoption report is due)") }
        if let url = item.canonicalURL { lines.append("portal    \(url)") }
        lines.append("")
        lines.append(Self.deliveries(deliveries, deadlines: deadlines, blockers: blockers))
        return lines.joined(separator: "\n")
    }

    public static func attempts(_ attempts: [AttemptRecord]) -> String {
        var table = TextTable(["TIME", "CHANNEL", "VERSION", "OP", "TRIGGER", "HTTP", "MS", "OUTCOME", "ERROR"])
        for attempt in attempts {
            table.add([
                Timestamp.iso8601(attempt.startedAt), attempt.channelID, "v\(attempt.version)", attempt.operation,
                attempt.trigger, attempt.httpStatus.map(String.init) ?? "-", "\(attempt.durationMillis)",
                attempt.outcome, attempt.error ?? "",
            ])
        }
        return attempts.isEmpty ? "(no attempts)" : table.render()
    }
}
