import Foundation
public import GongkaiCore
import GongkaiSimulators

/// The fault profile `gongkai simulate --faults` gives every simulator, as
/// `name=value` pairs separated by commas: `error=0.1,drop=0.05,slow=0.1`.
///
/// One profile for all kinds, mapped onto each simulator's own fault type:
/// `error` is a 5xx answer (Weibo's 10001 system error), `throttle` the
/// platform's throttle answer (WeChat, which has no per-call throttle, answers
/// -1 系统繁忙 instead), `drop` a closed connection, `slow` an answer that comes
/// only after `slowDelay` (past a channel's deadline, a lost answer).
public struct StagingFaults: Sendable, Equatable, Encodable {
    public var errorRate = 0.0
    public var throttleRate = 0.0
    public var dropRate = 0.0
    public var slowRate = 0.0
    /// Longer than the written channel files' timeouts, so a slow answer is a lost one.
    public var slowDelayMillis: Int64 = 5_000
    /// Seeds the random draws; each simulator's own default when nil.
    public var seed: UInt64?

    public static let names = ["error", "throttle", "drop", "slow", "slowDelay", "seed"]

    public init() {}

    /// Reads `--faults`; empty text or `none` is no fault.
    ///
    /// - Throws: ``GongkaiError`` (`invalidField`, field `faults`) naming the
    ///   unknown fault or the bad value; rates are 0 to 1 and add up to at most 1.
    public init(parsing text: String) throws(GongkaiError) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty, trimmed != "none" else { return }
        var seen: Set<String> = []
        for part in trimmed.split(separator: ",", omittingEmptySubsequences: false) {
            let pair = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = pair[0].trimmingCharacters(in: .whitespaces)
            guard Self.names.contains(name) else {
                throw Self.invalid(
                    "unknown fault \"\(name)\"; known: \(Self.names.joined(separator: ", ")) (e.g. drop=0.05,slow=0.1)")
            }
            guard pair.count == 2 else { throw Self.invalid("\(name) needs a value: \(name)=…") }
            guard seen.insert(name).inserted else { throw Self.invalid("\(name) is given twice") }
            let value = pair[1].trimmingCharacters(in: .whitespaces)
            switch name {
            case "slowDelay":
                do {
                    slowDelayMillis = try DurationText.milliseconds(value)
                } catch {
                    throw Self.invalid("slowDelay must be a duration such as 500ms or 5s (\(error.message))")
                }
            case "seed":
                guard let number = UInt64(value) else { throw Self.invalid("seed must be a whole number") }
                seed = number
            default:
                guard let rate = Double(value), rate.isFinite, (0...1).contains(rate) else {
                    throw Self.invalid("\(name) must be a share from 0 to 1, e.g. \(name)=0.05")
                }
                switch name {
                case "error": errorRate = rate
                case "throttle": throttleRate = rate
                case "drop": dropRate = rate
                default: slowRate = rate
                }
            }
        }
        guard errorRate + throttleRate + dropRate + slowRate <= 1 + 1e-9 else {
            throw Self.invalid("the rates add up to more than 1")
        }
    }

    private static func invalid(_ message: String) -> GongkaiError {
        GongkaiError(.invalidField, message, field: "faults")
    }

    public var isNone: Bool { errorRate == 0 && throttleRate == 0 && dropRate == 0 && slowRate == 0 }

    /// `error 10%, drop 5%, slow 10% (5s)`, or `none`.
    public var summary: String {
        guard !isNone else { return "none" }
        func percent(_ rate: Double) -> String {
            let value = rate * 100
            return value == value.rounded() ? "\(Int(value))%" : "\(value)%"
        }
        var parts: [String] = []
        if errorRate > 0 { parts.append("error \(percent(errorRate))") }
        if throttleRate > 0 { parts.append("throttle \(percent(throttleRate))") }
        if dropRate > 0 { parts.append("drop \(percent(dropRate))") }
        if slowRate > 0 { parts.append("slow \(percent(slowRate)) (\(DurationText.format(slowDelayMillis)))") }
        return parts.joined(separator: ", ")
    }

    var slowDelay: Duration { .milliseconds(slowDelayMillis) }

    var publishing: PublishingFaults {
        var faults = PublishingFaults(
            serverErrorRate: errorRate, throttleRate: throttleRate, dropRate: dropRate, slowRate: slowRate,
            slowDelay: slowDelay)
        if let seed { faults.seed = seed }
        return faults
    }

    var robot: RobotFaults {
        var faults = RobotFaults(
            serverErrorRate: errorRate, throttleRate: throttleRate, dropRate: dropRate, slowRate: slowRate,
            slowDelay: slowDelay)
        if let seed { faults.seed = seed }
        return faults
    }

    var webhook: WebhookFaults {
        var faults = WebhookFaults(
            serverErrorRate: errorRate, slowRate: slowRate, slowDelay: slowDelay, dropRate: dropRate,
            throttleRate: throttleRate)
        if let seed { faults.seed = seed }
        return faults
    }

    var wechat: WeChatFaults {
        var faults = WeChatFaults(
            serverErrorRate: errorRate, systemBusyRate: throttleRate, dropRate: dropRate, slowRate: slowRate,
            slowDelay: slowDelay)
        if let seed { faults.seed = seed }
        return faults
    }

    var weibo: WeiboFaults {
        var faults = WeiboFaults(
            systemErrorRate: errorRate, rateLimitRate: throttleRate, dropRate: dropRate, slowRate: slowRate,
            slowDelay: slowDelay)
        if let seed { faults.seed = seed }
        return faults
    }

    var creditFeed: CreditFeedFaults {
        var faults = CreditFeedFaults(
            serverErrorRate: errorRate, throttleRate: throttleRate, dropRate: dropRate, slowRate: slowRate,
            slowDelay: slowDelay)
        if let seed { faults.seed = seed }
        return faults
    }
}
