public import GongkaiChannels
public import GongkaiCore
public import GongkaiStore
import Foundation

/// Part 二 of the national annual-report template (主动公开政府信息情况,
/// 国办公开办函〔2021〕30号) as gongkai can fill it, with gongkai's own counts
/// (``AnnualReport``) as an appendix: `gongkai report annual --format gov`.
///
/// How each cell is counted (the rendered reports repeat this in their notes):
/// - Only proactively disclosed items count, and an item withdrawn by the
///   year's end counts in no cell of part 二 (the appendix counts withdrawals).
/// - 第二十条第（一）项 comes from kind `normative`: a 规章 when its 体裁分类
///   (`genre`) is `规章`, otherwise a 行政规范性文件. 本年制发 counts items whose
///   成文日期 (`writtenOn`) falls in the year; 本年废止 items whose validity
///   changed from 有效 or 已修改 to 废止 or 失效 in the year (``ValidityHistory``); 现行有效 items
///   written by the year's end whose validity on 31 December is 有效 or 已修改
///   (an amended document stays in force as amended).
/// - 第二十条第（五）（六）项 count licences and penalties by their decision day
///   (`licence.decidedOn`, `penalty.decidedOn`).
/// - gongkai has no kind for 行政强制 decisions nor for 行政事业性收费: those
///   rows are 0 with ``coerciveMeasuresRecorded`` and ``feesRecorded`` false.
///
/// Days are Beijing days, as in ``AnnualReport``; the facts a cell needs are
/// read from the stored versions, so a correction or a repeal submitted as a
/// new version is counted where it belongs.
public struct GovAnnualReport: Sendable, Codable, Equatable {
    /// One row of 第二十条第（一）项.
    public struct DocumentCounts: Sendable, Codable, Equatable {
        /// 本年制发件数.
        public var issued = 0
        /// 本年废止件数: validity changed to 废止 or 失效 in the year.
        public var repealed = 0
        /// 现行有效件数 on 31 December.
        public var inForce = 0
        public init(issued: Int = 0, repealed: Int = 0, inForce: Int = 0) {
            self.issued = issued
            self.repealed = repealed
            self.inForce = inForce
        }
    }

    public var year: Int
    /// 规章: normative items whose 体裁分类 is `规章`.
    public var regulations = DocumentCounts()
    /// 行政规范性文件: every other normative item.
    public var normativeDocuments = DocumentCounts()
    /// 行政许可 本年处理决定数量.
    public var licenceDecisions = 0
    /// 行政处罚 本年处理决定数量.
    public var penaltyDecisions = 0
    /// Whether gongkai records 行政强制 decisions; while it has no kind for them, false and the count is 0.
    public var coerciveMeasuresRecorded = false
    /// 行政强制 本年处理决定数量.
    public var coerciveMeasureDecisions = 0
    /// Whether gongkai records fee items; while it has no kind for them, false and the amount is 0.
    public var feesRecorded = false
    /// 行政事业性收费 本年收费金额, in 万元 as the template asks.
    public var feeAmount: Double = 0
    /// gongkai's own counts for the year: by 五公开 category, by channel, withdrawals, late deliveries.
    public var appendix: AnnualReport

    public init(year: Int, appendix: AnnualReport? = nil) {
        self.year = year
        self.appendix = appendix ?? AnnualReport(year: year)
    }

    /// The kinds whose histories the tables read.
    static let kinds: [DisclosureItem.Kind] = [.normative, .licence, .penalty]

    /// Counts `year` from the outbox: the appendix as ``AnnualReport/build(year:store:channels:calendar:policy:now:pageSize:)``
    /// does, then the tables from the stored versions of normative documents, licences
    /// and penalties, a page at a time, one item's history in memory at once.
    public static func build(
        year: Int, store: any OutboxStore, channels: [ChannelDefinition], calendar: WorkCalendar?,
        policy: DeadlinePolicy, now: Int64, pageSize: Int = 1_000
    ) async throws -> GovAnnualReport {
        let appendix = try await AnnualReport.build(
            year: year, store: store, channels: channels, calendar: calendar, policy: policy, now: now,
            pageSize: pageSize)
        var report = GovAnnualReport(year: year, appendix: appendix)
        var after: (itemID: String, version: Int)?
        var item: ItemRecord?
        var versions: [StoredVersionFacts] = []
        while true {
            let page = try await store.itemVersions(kinds: kinds.map(\.rawValue), after: after, limit: pageSize)
            for (record, version) in page {
                if let current = item, current.id != record.id {
                    report.count(current, versions)
                    versions.removeAll(keepingCapacity: true)
                }
                item = record
                versions.append(try StoredVersionFacts(version))
            }
            guard let last = page.last else { break }
            after = (last.version.itemID, last.version.version)
            if page.count < pageSize { break }
        }
        if let item { report.count(item, versions) }
        return report
    }

    /// Adds one item, given all its stored versions in order, to the cells it belongs in.
    mutating func count(_ item: ItemRecord, _ versions: [StoredVersionFacts]) {
        guard item.attribute == DisclosureItem.Attribute.proactive.rawValue, let latest = versions.last else { return }
        let yearEnd = CalendarDate(year: year, month: 12, day: 31)!
        if let withdrawnAt = item.withdrawnAt, DeliveryDeadline.day(of: withdrawnAt) <= yearEnd { return }
        switch latest.facts.kind {
        case .normative:
            let history = ValidityHistory(versions.map { ($0.facts.validity, $0.facts.formedOn, $0.submittedOn) })
            // A corrected 成文日期 is a correction of the document, so the latest version's counts.
            let writtenOn = CalendarDate(latest.facts.writtenOn) ?? versions[0].submittedOn
            let isRegulation = latest.facts.genre?.trimmingCharacters(in: .whitespaces) == "规章"
            let row: WritableKeyPath<GovAnnualReport, DocumentCounts> = isRegulation ? \.regulations : \.normativeDocuments
            if writtenOn.year == year { self[keyPath: row].issued += 1 }
            if history.changes.contains(where: { $0.on.year == year && $0.endsForce }) { self[keyPath: row].repealed += 1 }
            if writtenOn <= yearEnd, !history.validity(on: yearEnd).endsForce { self[keyPath: row].inForce += 1 }
        case .licence:
            let decidedOn = CalendarDate(latest.facts.licence?.decidedOn ?? latest.facts.writtenOn)
            if decidedOn?.year == year { licenceDecisions += 1 }
        case .penalty:
            let decidedOn = CalendarDate(latest.facts.penalty?.decidedOn ?? latest.facts.writtenOn)
            if decidedOn?.year == year { penaltyDecisions += 1 }
        default:
            break
        }
    }
}

/// The validity (有效性) of one item over time, from its stored versions: each
/// version whose `validity` differs from the one before is a change, dated by
/// the `formedOn` that version gives when it gives a new one (the day the
/// information changed, as the agency states it), otherwise by the Beijing day
/// the version was submitted. The first version's validity holds from the start.
public struct ValidityHistory: Sendable, Equatable {
    /// One change of validity.
    public struct Change: Sendable, Equatable {
        /// The day it took effect.
        public var on: CalendarDate
        public var from: DisclosureItem.Validity
        public var to: DisclosureItem.Validity
        /// The number of the version that made it (versions are numbered from 1).
        public var version: Int
        /// The change takes the document out of force (to 废止 or 失效 from 有效 or 已修改);
        /// one between 失效 and 废止 does not end it again.
        public var endsForce: Bool { to.endsForce && !from.endsForce }
        public init(on: CalendarDate, from: DisclosureItem.Validity, to: DisclosureItem.Validity, version: Int) {
            self.on = on
            self.from = from
            self.to = to
            self.version = version
        }
    }

    public var initial: DisclosureItem.Validity
    /// In version order.
    public var changes: [Change]

    /// Builds the history from each version's validity, `formedOn` (`YYYY-MM-DD` or nil)
    /// and submission day, in version order; at least one version.
    public init(_ versions: [(validity: DisclosureItem.Validity, formedOn: String?, submittedOn: CalendarDate)]) {
        initial = versions.first?.validity ?? .valid
        changes = []
        guard versions.count > 1 else { return }
        for index in 1..<versions.count {
            let (previous, version) = (versions[index - 1], versions[index])
            guard version.validity != previous.validity else { continue }
            var on = version.submittedOn
            if let formed = version.formedOn, formed != previous.formedOn, let day = CalendarDate(formed) { on = day }
            changes.append(Change(on: on, from: previous.validity, to: version.validity, version: index + 1))
        }
    }

    /// The validity in force at the end of `day`: the last change (in version order)
    /// dated on or before it, or the first version's.
    public func validity(on day: CalendarDate) -> DisclosureItem.Validity {
        changes.last(where: { $0.on <= day })?.to ?? initial
    }
}

extension DisclosureItem.Validity {
    /// 废止 and 失效 end a document's force; 有效 and 已修改 (in force as amended) do not.
    public var endsForce: Bool { self == .repealed || self == .expired }
}

/// What the tables read from one stored version's document, and when it was submitted.
struct StoredVersionFacts {
    /// The fields of a stored document the tables count; decoding only these keeps a
    /// document written by an older gongkai readable.
    struct Facts: Decodable {
        struct Decision: Decodable { var decidedOn: String }
        var kind: DisclosureItem.Kind
        var validity: DisclosureItem.Validity
        var genre: String?
        var writtenOn: String
        var formedOn: String?
        var licence: Decision?
        var penalty: Decision?
    }

    var facts: Facts
    var submittedOn: CalendarDate

    init(_ version: ItemVersionRecord) throws {
        do {
            facts = try JSONDecoder().decode(Facts.self, from: Data(version.document))
        } catch {
            throw GongkaiError(
                .store, "version \(version.version) cannot be read for the annual report: \(error)", item: version.itemID)
        }
        submittedOn = DeliveryDeadline.day(of: version.createdAt)
    }
}
