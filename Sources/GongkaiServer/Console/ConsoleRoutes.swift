import Foundation
import GongkaiAudit
import GongkaiCore
import GongkaiService
import GongkaiStore
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// The console's routes: server-rendered HTML under `/console`, outside the JSON
/// API's table (``APIRoutes/all``) and so outside `openapi.yaml`.
///
/// Sign-in takes a pasted API token in a POST form and answers with a session
/// cookie (HttpOnly, SameSite=Strict, Secure behind TLS); the token is never put
/// in a URL, a page or the log. Every change goes through the same use case as
/// the CLI and the API, acting as `console:<token name>`, so the audit log says
/// who did it. A change needs the operate role, the session's CSRF value, and,
/// when the browser sends one, an `Origin` that is this server.
struct ConsoleRoutes: Sendable {
    static let sessionCookie = "gongkai_session"
    static let languageCookie = "gongkai_lang"

    let server: GongkaiServer
    var sessions: ConsoleSessions { server.consoleSessions }
    var console: OutboxConsole { server.console }
    var pages: ConsolePages { ConsolePages(console: server.console, lastReportPath: server.lastReportPath) }

    func register(on router: Router<APIRequestContext>) {
        router.get("/console") { request, context in
            try await page(request, context) { viewer in try await pages.overview(viewer) }
        }
        router.get("/console/deadlines") { request, context in
            try await page(request, context) { viewer in try await pages.deadlines(viewer) }
        }
        router.get("/console/dead") { request, context in
            try await page(request, context) { viewer in
                try await pages.deadLetters(viewer, requeued: request.uri.queryParameters["requeued"].flatMap { Int(String($0)) })
            }
        }
        router.get("/console/items/:id") { request, context in
            let id = try context.parameters.require("id")
            return try await page(request, context) { viewer in
                try await pages.item(id, viewer, requeued: request.uri.queryParameters["requeued"].flatMap { Int(String($0)) })
            }
        }
        router.get("/console/reconcile") { request, context in
            try await page(request, context) { viewer in
                guard let report = try pages.lastReport() else {
                    throw GongkaiError(.conflict, ConsoleText.text("noReport", viewer.language), field: "reconcile.lastReport")
                }
                return ReconcileRenderer.render(report, format: .html, language: viewer.language)
            }
        }
        router.get("/console/reconcile.csv") { request, context in
            try await csv(request, context)
        }
        router.get("/console/login") { request, context in
            loginPage(request, failed: false, status: .ok)
        }
        router.post("/console/login") { request, context in
            try await signIn(request, context)
        }
        router.get("/console/link") { request, context in
            try await redeemLink(request, context)
        }
        router.post("/console/link") { request, context in
            try await makeLink(request, context)
        }
        router.post("/console/logout") { request, context in
            try await change(request, context, needsOperate: false) { _, _, session in
                sessions.close(session.id)
                var response = redirect("/console/login")
                response.setCookie(expiredSessionCookie(request))
                return response
            }
        }
        router.post("/console/items/:id/resend") { request, context in
            let id = try context.parameters.require("id")
            return try await change(request, context, needsOperate: true) { form, acting, _ in
                let channel = form["channel"].flatMap { $0.isEmpty ? nil : $0 }
                let changed = try await acting.resend(itemID: id, channelID: channel, force: false)
                let back = form["back"] == "item"
                    ? "/console/items/\(ConsolePages.pathComponent(id))" : "/console/dead"
                return redirect("\(back)?requeued=\(changed.count)")
            }
        }
        router.post("/console/recover") { request, context in
            try await change(request, context, needsOperate: true) { form, acting, _ in
                guard let channel = form["channel"], !channel.isEmpty else {
                    throw GongkaiError(.missingField, "recover needs a channel", field: "channel")
                }
                // The same use case as `gongkai recover --channel C` (state dead, no --since).
                let count = try await acting.recover(channelID: channel, states: [.dead], since: nil)
                return redirect("/console/dead?requeued=\(count)")
            }
        }
    }

    // MARK: - Who is looking

    /// The signed-in person behind the session cookie, if the session and its token are both still good.
    func viewer(_ request: Request) async throws -> (ConsoleViewer, ConsoleSessions.Session, APITokenRecord)? {
        guard let value = request.cookies[Self.sessionCookie]?.value,
            let session = sessions.session(value, now: console.clock.now()),
            let token = try await server.tokens.store.token(id: session.tokenID), token.revokedAt == nil
        else { return nil }
        let viewer = ConsoleViewer(
            name: token.name, role: token.role, csrf: sessions.csrf(for: session), language: language(request))
        return (viewer, session, token)
    }

    /// `?lang=` first (the switch link), then the cookie it leaves, then Chinese.
    func language(_ request: Request) -> ReportLanguage {
        if let asked = request.uri.queryParameters["lang"].flatMap({ ReportLanguage(rawValue: String($0)) }) {
            return asked
        }
        return request.cookies[Self.languageCookie].flatMap { ReportLanguage(rawValue: $0.value) } ?? .zh
    }

    /// A page for whoever is signed in: the read, submit and operate roles all see pages;
    /// anyone else is sent to sign in.
    func page(
        _ request: Request, _ context: APIRequestContext, _ render: (ConsoleViewer) async throws -> String
    ) async throws -> Response {
        guard let (viewer, _, _) = try await viewer(request) else {
            let next = request.uri.path
            return redirect("/console/login?next=\(next.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")")
        }
        do {
            return html(try await render(viewer), request: request)
        } catch {
            return problemPage(error, request: request, viewer: viewer)
        }
    }

    /// A POST that changes something: session, CSRF value and origin checked before the body is
    /// acted on; a refusal is audited and changes nothing.
    func change(
        _ request: Request, _ context: APIRequestContext, needsOperate: Bool,
        _ act: ([String: String], OutboxConsole, ConsoleSessions.Session) async throws -> Response
    ) async throws -> Response {
        let form = try await Self.form(request, context)
        guard let (viewer, session, token) = try await viewer(request) else {
            try await refuse("anonymous", "no console session", request, context)
            return problemPage(
                Problem(.unauthorized, code: "unauthorized", detail: "sign in first"), request: request, viewer: nil)
        }
        guard sameOrigin(request) else {
            try await refuse(token.name, "cross-origin form", request, context)
            return problemPage(
                Problem(.forbidden, code: "csrf", detail: "this form did not come from this console", field: "Origin"),
                request: request, viewer: viewer)
        }
        guard let csrf = form["csrf"], sessions.checkCSRF(csrf, for: session) else {
            try await refuse(token.name, "missing or wrong CSRF value", request, context)
            return problemPage(
                Problem(.forbidden, code: "csrf", detail: "this form is stale or not from this console; reload the page", field: "csrf"),
                request: request, viewer: viewer)
        }
        if needsOperate && token.role != .operate {
            try await refuse(token.name, "role \(token.role.rawValue) may not", request, context)
            return problemPage(
                Problem(.forbidden, code: "forbidden", detail: "the \(token.role.rawValue) role may not do this; it needs operate"),
                request: request, viewer: viewer)
        }
        do {
            return try await act(form, console.acting(as: "console:\(token.name)"), session)
        } catch {
            return problemPage(error, request: request, viewer: viewer)
        }
    }

    /// An `Origin` (or, without one, a `Referer`) naming another site is refused; a browser sends
    /// one with every form POST, so only non-browser clients arrive without, and they hold no cookie
    /// a forged page could ride on.
    func sameOrigin(_ request: Request) -> Bool {
        guard let host = request.head.authority else { return false }
        let claimed = request.headers[.origin] ?? request.headers[.referer].map { referer -> String in
            // scheme://host[:port] of the Referer.
            let parts = referer.split(separator: "/", maxSplits: 3, omittingEmptySubsequences: false)
            return parts.count >= 3 ? "\(parts[0])//\(parts[2])" : referer
        }
        guard let claimed else { return true }
        return claimed == "http://\(host)" || claimed == "https://\(host)"
    }

    private func refuse(_ who: String, _ detail: String, _ request: Request, _ context: APIRequestContext) async throws {
        try await server.tokens.store.auditRefusal(
            actor: "console:\(who)", detail: "\(detail): \(request.method) \(request.uri.path) from \(context.remoteAddress)",
            now: console.clock.now())
    }

    // MARK: - Signing in and out

    func loginPage(_ request: Request, failed: Bool, status: HTTPResponse.Status, next: String? = nil) -> Response {
        var context = ConsolePages.base(title: "signIn", language: language(request), viewer: nil, path: "/console/login")
        if failed { context["failed"] = true }
        context["next"] = Self.safeNext(next ?? request.uri.queryParameters["next"].map(String.init))
        var response = html(ConsoleTemplates.render("login", context), request: request)
        response.status = status
        return response
    }

    func signIn(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let form = try await Self.form(request, context)
        let pasted = (form["token"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        // A sign-in form posted from another site could sign a victim into the attacker's session.
        guard sameOrigin(request) else {
            try await refuse("anonymous", "cross-origin sign-in", request, context)
            return loginPage(request, failed: true, status: .forbidden, next: form["next"])
        }
        guard !pasted.isEmpty, let token = try await server.tokens.verify(pasted) else {
            try await refuse("anonymous", "bad token at sign-in", request, context)
            return loginPage(request, failed: true, status: .unauthorized, next: form["next"])
        }
        return signedIn(token, request: request, next: form["next"])
    }

    /// Redeems a one-time sign-in code (`POST /console/link` made it) and goes on to `next`.
    func redeemLink(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let query = request.uri.queryParameters
        guard let code = query["code"].map(String.init),
            let tokenID = sessions.redeem(code, now: console.clock.now()),
            let token = try await server.tokens.store.token(id: tokenID), token.revokedAt == nil
        else {
            try await refuse("anonymous", "unknown, used or expired sign-in link", request, context)
            return loginPage(request, failed: true, status: .unauthorized)
        }
        return signedIn(token, request: request, next: query["next"].map(String.init))
    }

    /// `POST /console/link` with a bearer token: a sign-in link for that token, good once within a
    /// minute, for a browser that cannot paste (a kiosk, a headless test browser).
    func makeLink(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let header = request.headers[.authorization] ?? ""
        let bearer = header.hasPrefix("Bearer ") ? String(header.dropFirst("Bearer ".count)) : ""
        guard !bearer.isEmpty, let token = try await server.tokens.verify(bearer) else {
            try await refuse("anonymous", "bad token for a sign-in link", request, context)
            throw Problem(.unauthorized, code: "unauthorized", detail: "a valid bearer token is required", field: "Authorization")
        }
        let code = sessions.link(for: token, now: console.clock.now())
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        headers[.cacheControl] = "no-store"
        let body = JSONOutput.string([
            "path": "/console/link?code=\(code)", "expiresInSeconds": String(ConsoleSessions.linkLifetimeMillis / 1000),
        ])
        return Response(status: .created, headers: headers, body: .init(byteBuffer: ByteBuffer(string: body)))
    }

    private func signedIn(_ token: APITokenRecord, request: Request, next: String?) -> Response {
        let session = sessions.open(for: token, now: console.clock.now())
        var response = redirect(Self.safeNext(next))
        response.setCookie(
            Cookie(
                name: Self.sessionCookie, value: session.id, maxAge: Int(ConsoleSessions.lifetimeMillis / 1000),
                path: "/console", secure: Self.overTLS(request), httpOnly: true, sameSite: .strict))
        return response
    }

    private func expiredSessionCookie(_ request: Request) -> Cookie {
        Cookie(name: Self.sessionCookie, value: "", maxAge: 0, path: "/console", secure: Self.overTLS(request), httpOnly: true, sameSite: .strict)
    }

    /// Only a console page of this server: a sign-in must not bounce anyone to another site.
    static func safeNext(_ next: String?) -> String {
        guard let next, next == "/console" || next.hasPrefix("/console/"), !next.contains("//"), !next.contains("\\")
        else { return "/console" }
        return next
    }

    /// Served over TLS, as a proxy in front says; the cookie is then Secure.
    static func overTLS(_ request: Request) -> Bool {
        request.head.scheme == "https" || request.headers[HTTPField.Name("X-Forwarded-Proto")!] == "https"
    }

    // MARK: - Responses

    func html(_ text: String, request: Request) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "text/html; charset=utf-8"
        headers[.cacheControl] = "no-store"
        // Nothing from elsewhere, nothing inline but our style, no framing (clickjacking a resend button).
        headers[.contentSecurityPolicy] =
            "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
        headers[HTTPField.Name("X-Content-Type-Options")!] = "nosniff"
        headers[HTTPField.Name("Referrer-Policy")!] = "same-origin"
        var response = Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
        if let asked = request.uri.queryParameters["lang"].flatMap({ ReportLanguage(rawValue: String($0)) }) {
            response.setCookie(
                Cookie(
                    name: Self.languageCookie, value: asked.rawValue, maxAge: 365 * 86_400, path: "/console",
                    secure: Self.overTLS(request), httpOnly: true, sameSite: .lax))
        }
        return response
    }

    func redirect(_ location: String) -> Response {
        var headers = HTTPFields()
        headers[.location] = location
        headers[.cacheControl] = "no-store"
        return Response(status: .seeOther, headers: headers)
    }

    /// An error as a page in the viewer's language, with the problem's status; a server-side
    /// failure says no more than the API would.
    func problemPage(_ error: any Error, request: Request, viewer: ConsoleViewer?) -> Response {
        let problem = Problem.from(error)
        if problem.status.code >= 500 {
            server.logger.error("console request failed", metadata: ["path": "\(request.uri.path)", "error": "\(error)"])
        }
        var context = ConsolePages.base(
            title: "problem", language: viewer?.language ?? language(request), viewer: viewer, path: request.uri.path)
        context["detail"] = problem.detail
        var response = html(ConsoleTemplates.render("problem", context), request: request)
        response.status = problem.status
        return response
    }

    func csv(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        guard let (viewer, _, _) = try await viewer(request) else { return redirect("/console/login?next=%2Fconsole") }
        do {
            guard let report = try pages.lastReport() else {
                throw GongkaiError(.conflict, ConsoleText.text("noReport", viewer.language), field: "reconcile.lastReport")
            }
            var headers = HTTPFields()
            headers[.contentType] = "text/csv; charset=utf-8"
            headers[.contentDisposition] = "attachment; filename=\"gongkai-reconcile.csv\""
            headers[.cacheControl] = "no-store"
            let text = ReconcileRenderer.render(report, format: .csv, language: viewer.language)
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
        } catch {
            return problemPage(error, request: request, viewer: viewer)
        }
    }

    // MARK: - Reading forms

    /// An `application/x-www-form-urlencoded` body as name → value (the last of a repeated name).
    static func form(_ request: Request, _ context: APIRequestContext) async throws -> [String: String] {
        let buffer = try await request.body.collect(upTo: 64 << 10)
        let text = String(buffer: buffer)
        var fields: [String: String] = [:]
        for pair in text.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ part: Substring) -> String {
                part.replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? ""
            }
            guard let name = parts.first else { continue }
            fields[decode(name)] = parts.count > 1 ? decode(parts[1]) : ""
        }
        return fields
    }
}
