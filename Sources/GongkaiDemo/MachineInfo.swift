import Foundation
import Synchronization

/// Facts about the machine and process that benchmark figures need beside them.
enum MachineInfo {
    static func summary() -> String {
        let cpu = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8))?
            .split(separator: "\n").first { $0.hasPrefix("model name") }?
            .split(separator: ":").last?.trimmingCharacters(in: .whitespaces) ?? "unknown CPU"
        let memory = ProcessInfo.processInfo.physicalMemory >> 30
        return "\(ProcessInfo.processInfo.activeProcessorCount) cores (\(cpu)), \(memory) GiB"
    }

    /// Peak resident set size of this process so far.
    static func peakRSSMegabytes() -> Int {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return usage.ru_maxrss / 1024
    }

    /// CPU time (user + system, all threads) this process has used so far. Per
    /// delivery it is steadier than a rate on a shared VM whose speed drifts.
    static func cpuSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        func seconds(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) / 1e6 }
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }

    /// Current resident set size, from /proc/self/statm.
    static func currentRSSMegabytes() -> Int {
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
        let fields = text.split(separator: " ")
        guard fields.count > 1, let pages = Int(fields[1]) else { return 0 }
        return (pages * Int(sysconf(Int32(_SC_PAGESIZE)))) >> 20
    }
}

/// Samples RSS a few times a second, to show whether memory stays flat over a run.
final class RSSSampler: Sendable {
    private let samples = Mutex<[Int]>([])
    private let interval: Duration

    init(every interval: Duration = .milliseconds(250)) { self.interval = interval }

    func run() async {
        while !Task.isCancelled {
            let rss = MachineInfo.currentRSSMegabytes()
            samples.withLock { $0.append(rss) }
            try? await Task.sleep(for: interval)
        }
    }

    func reset() { samples.withLock { $0.removeAll() } }

    /// The highest sample so far (0 before the first).
    var highest: Int { samples.withLock { $0.max() ?? 0 } }

    /// First, highest and last sample of the current phase.
    func describe() -> String {
        let values = samples.withLock { $0 }
        guard let first = values.first, let last = values.last, let high = values.max() else { return "n/a" }
        return "\(first)→\(high)→\(last) MiB first/max/last"
    }
}
