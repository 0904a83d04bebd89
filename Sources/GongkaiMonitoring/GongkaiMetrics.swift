import CoreMetrics
import GongkaiSync
public import Prometheus
import Synchronization

/// gongkai's metrics in Prometheus text format: a registry that swift-metrics
/// writes into (the engine's counters, the gauges ``OutboxGauges`` keeps) and
/// the text a `/metrics` route returns.
///
/// The daemon (and `gongkai serve`) call ``bootstrap()`` once and scrape
/// ``process``; a test makes its own instance and passes ``factory`` to what
/// it runs, so parallel tests never see each other's counts.
public final class GongkaiMetrics: Sendable {
    /// Where every instrument made through ``factory`` lives.
    public let registry: PrometheusCollectorRegistry
    /// The swift-metrics backend writing into ``registry``.
    public let factory: PrometheusMetricsFactory

    /// The media type of ``render()``'s text, for the `Content-Type` of a scrape.
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    /// The registry of this process; ``bootstrap()`` makes it swift-metrics' backend.
    public static let process = GongkaiMetrics()

    private static let bootstrapped = Mutex(false)

    public init() {
        registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        // A channel's timeout is seconds to tens of seconds; the default buckets stop at 10 s.
        factory.durationHistogramBuckets[DeliveryMetrics.attemptDuration] = [
            .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
            .milliseconds(250), .milliseconds(500), .seconds(1), .milliseconds(2_500), .seconds(5), .seconds(10),
            .seconds(30),
        ]
        self.factory = factory
    }

    /// Makes ``process`` the swift-metrics backend. swift-metrics allows one
    /// bootstrap per process, so later calls only return it.
    @discardableResult
    public static func bootstrap() -> GongkaiMetrics {
        bootstrapped.withLock { done in
            if !done { MetricsSystem.bootstrap(process.factory) }
            done = true
        }
        return process
    }

    /// Every metric in Prometheus text format (0.0.4), families in name order,
    /// each gongkai family with its `# HELP` line.
    ///
    /// Reads only what the registry holds: nothing here queries the store, so a
    /// scrape costs the same with ten deliveries or ten million (the store's
    /// gauges are refreshed in the background by ``OutboxGauges``).
    public func render() -> String {
        let text = registry.emitToString()
        // The registry emits families in hash order and swift-metrics gives it no help text.
        var families: [(name: Substring, lines: [Substring])] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: true) {
            if line.hasPrefix("# TYPE ") {
                let name = line.dropFirst(7).prefix { $0 != " " }
                families.append((name, []))
            }
            if families.isEmpty { families.append(("", [])) }
            families[families.count - 1].lines.append(line)
        }
        families.sort { $0.name < $1.name }
        var output = ""
        output.reserveCapacity(text.utf8.count + families.count * 80)
        for family in families {
            if let help = MetricCatalogue.help[String(family.name)] {
                output += "# HELP \(family.name) \(help)\n"
            }
            for line in family.lines {
                output += line
                output += "\n"
            }
        }
        return output
    }
}
