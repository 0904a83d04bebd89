import AsyncHTTPClient
import Foundation
import GongkaiAudit
import GongkaiChannels
import GongkaiCore
import GongkaiServer
import GongkaiService
import GongkaiStore
import GongkaiStoreContract
import NIOCore
import NIOHTTP1

/// A server over a store with known content, as a person would find it on the console:
///
/// - the penalty: decided 2026-10-20, still not delivered (its last try failed with 503), so late
///   under the 7-working-day rule;
/// - the notice: refused by the platform for good (422): a dead letter;
/// - a notice whose title is markup, also dead: the console must show it as text;
/// - a kept reconciliation report with counts per class.
struct ConsoleFixture {
    let api: APIHarness
    let operatorToken: String
    let readerToken: String

    static let penalty = SampleDisclosures.penaltyOnNaturalPerson
    static let notice = SampleDisclosures.notice
    static let markupTitle = #"<script>alert("x")</script> & <b>通知</b>"#
    static let markup: DisclosureItem = {
        var item = SampleDisclosures.notice
        item.id = "jl-forestry-notice-2026-0042"
        item.title = markupTitle
        item.indexNumber = "013544285/2026-00042"
        item.documentNumber = "吉林林草办发〔2026〕42号"
        return item
    }()

    static let report = ReconcileReport(
        startedAt: 1_764_000_000_000, finishedAt: 1_764_000_060_000,
        channels: [
            ReconcileReport.ChannelSummary(
                channelID: "hook", kind: "webhook", method: "receipts",
                counts: [ReconcileClass.inSync.rawValue: 17, ReconcileClass.missing.rawValue: 2, ReconcileClass.differs.rawValue: 1])
        ],
        rows: [], repaired: false)

    static func make() async throws -> ConsoleFixture {
        let reportJSON = String(decoding: try JSONEncoder().encode(report), as: UTF8.self)
        let calendar = try WorkCalendar.standard()
        let api = try await APIHarness(calendar: calendar, lastReport: reportJSON)
        // With the calendar, as the daemon submits: the due day is fixed at submission.
        let console = OutboxConsole(store: api.store, channels: [APIHarness.channel], actor: "fixture", calendar: calendar)
        _ = try await console.submit([penalty, notice, markup])
        let now = console.clock.now()
        let claimed = try await api.store.claim(
            channelID: "hook", audience: APIHarness.channel.audience, owner: "fixture", limit: 10, leaseMillis: 60_000,
            now: now)
        let outcomes = claimed.map { claim -> SendOutcome in
            claim.record.itemID == penalty.id
                ? StoreFixtures.failure(claim, at: now, permanent: false, status: 503)
                : StoreFixtures.failure(claim, at: now, permanent: true, status: 422)
        }
        try await api.store.complete(outcomes, owner: "fixture", now: now)
        let (ops, _) = try await api.tokens.create(name: "duty-officer", role: .operate, actor: "fixture")
        let (reader, _) = try await api.tokens.create(name: "auditor", role: .read, actor: "fixture")
        return ConsoleFixture(api: api, operatorToken: ops, readerToken: reader)
    }

    func stop() async { await api.stop() }

    /// `body` over a fresh fixture, stopped afterwards whether `body` threw or not.
    static func with<T>(_ body: (ConsoleFixture) async throws -> T) async throws -> T {
        let fixture = try await make()
        do {
            let result = try await body(fixture)
            await fixture.stop()
            return result
        } catch {
            await fixture.stop()
            throw error
        }
    }
}

/// An HTTP client that keeps the console's cookies and does not follow redirects, so that a
/// test sees each `Set-Cookie` and `Location`.
final class ConsoleBrowser: @unchecked Sendable {
    let base: String
    /// name → value; one test's requests are sequential.
    var cookies: [String: String] = [:]
    static let client = HTTPClient(
        eventLoopGroupProvider: .singleton, configuration: HTTPClient.Configuration(redirectConfiguration: .disallow))

    init(base: String) { self.base = base }

    struct Page {
        var status: Int
        var headers: HTTPHeaders
        var body: String
        var location: String? { headers.first(name: "Location") }
    }

    func get(_ path: String) async throws -> Page {
        try await send(.GET, path, form: nil)
    }

    /// A form POST, with the `Origin` a browser on this console would send unless told otherwise.
    func post(_ path: String, form: [String: String], origin: String? = "same") async throws -> Page {
        try await send(.POST, path, form: form, origin: origin == "same" ? base : origin)
    }

    func send(_ method: HTTPMethod, _ path: String, form: [String: String]?, origin: String? = nil) async throws -> Page {
        var request = HTTPClientRequest(url: base + path)
        request.method = method
        if !cookies.isEmpty {
            request.headers.add(name: "Cookie", value: cookies.map { "\($0.key)=\($0.value)" }.sorted().joined(separator: "; "))
        }
        if let origin { request.headers.add(name: "Origin", value: origin) }
        if let form {
            request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
            let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-._~"))
            let body = form.map {
                "\($0.key)=\($0.value.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")"
            }.joined(separator: "&")
            request.body = .bytes(ByteBuffer(string: body))
        }
        let response = try await Self.client.execute(request, timeout: .seconds(10))
        for header in response.headers[canonicalForm: "Set-Cookie"] {
            let pair = header.split(separator: ";").first ?? ""
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2 else { continue }
            let name = parts[0].trimmingCharacters(in: .whitespaces)
            if parts[1].isEmpty { cookies[name] = nil } else { cookies[name] = String(parts[1]) }
        }
        let bytes = try await response.body.collect(upTo: 8 << 20)
        return Page(status: Int(response.status.code), headers: response.headers, body: String(buffer: bytes))
    }

    /// Signs in with `token` through the login form.
    func signIn(_ token: String) async throws -> Page {
        try await post("/console/login", form: ["token": token, "next": "/console"])
    }

    /// The CSRF value in a page's forms.
    static func csrf(in html: String) -> String? {
        guard let range = html.range(of: #"name="csrf" value=""#) else { return nil }
        let rest = html[range.upperBound...]
        return rest.firstIndex(of: "\"").map { String(rest[..<$0]) }
    }
}
