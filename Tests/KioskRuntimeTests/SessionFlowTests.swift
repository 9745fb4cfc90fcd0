import AsyncHTTPClient
import Foundation
import GRDB
import KioskCore
import NIOCore
import NIOHTTP1
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// A kioskd with the demo's simulated hardware (SAM reader, ESC/POS firmware on a pty, touch
/// panel) and the shipped catalog, templates, screen and sample shared data.
struct SessionDaemon {
    let scratch: Scratch
    let daemon: Program
    let address: String

    static let simulatedDevices = """
          - id: idcard
            kind: idcard
            simulate: true
          - id: receipt
            kind: receipt-printer
            simulate: true
          - id: touch
            kind: touch
            simulate: true
        """

    /// The simulated reader and touch panel with a real A4 printer: a CUPS queue of the test cupsd.
    static func withA4Printer(queue: String) -> String {
        """
          - id: idcard
            kind: idcard
            simulate: true
          - id: printer
            kind: printer
            queue: \(queue)
          - id: touch
            kind: touch
            simulate: true
        """
    }

    /// A kioskd over `scratch` (a fresh one by default; the same one again is a restart), with
    /// `extra` appended to its kiosk.yaml.
    static func start(
        idleTimeout: Int = 120, printWait: Int = 8, devices: String = simulatedDevices, receiptPrinter: String = "receipt",
        receiptPrinterReady: Set<String> = ["online"], scratch given: Scratch? = nil, extra: String = ""
    ) async throws -> SessionDaemon {
        let scratch = try given ?? Scratch()
        try? FileManager.default.removeItem(atPath: scratch.file("notify.sock"))
        let notify = try NotifyListener(path: scratch.file("notify.sock"))
        let config = try scratch.write(
            "kiosk.yaml",
            """
            kiosk:
              id: TEST-0001
              division_code: 410721
              number: 7
            paths:
              state_dir: \(scratch.file("state"))
              admin_socket: \(scratch.file("admin.sock"))
              admin_group: ""
              profiles_dir: \(repositoryRoot)/Devices
              catalog_dir: \(repositoryRoot)/Provisioning/catalog
              calendar_dir: \(repositoryRoot)/Provisioning/calendar
              templates_dir: \(repositoryRoot)/Provisioning/templates
              screen_dir: \(repositoryRoot)/Provisioning/screen
              shared_data: \(repositoryRoot)/Provisioning/examples/shared-data.yaml
            api:
              port: 0
            lifecycle:
              shutdown_timeout_seconds: 5
            session:
              idle_timeout_seconds: \(idleTimeout)
              countdown_seconds: 5
              print_wait_seconds: \(printWait)
              receipt_printer: \(receiptPrinter)
            devices:
            \(devices)
            \(extra)
            """)
        // `kioskd demo` with the test's file: the demo routes place sample cards (never under `run`).
        let daemon = try Program("kioskd", ["demo", "--config", config], environment: ["NOTIFY_SOCKET": notify.address])
        let ready = try #require(await notify.waitFor("READY=1", timeout: .seconds(30))?.last)
        let port = try #require(ready.firstMatch(of: /127\.0\.0\.1:(\d+)/)?.1)
        let kiosk = SessionDaemon(scratch: scratch, daemon: daemon, address: "http://127.0.0.1:\(port)")
        // The receipt printer answers its first status poll shortly after READY=1.
        try await kiosk.until("the receipt printer \(receiptPrinterReady.sorted().joined(separator: " or "))", seconds: 30) {
            let state = try? await kiosk.deviceState(receiptPrinter)
            return state.map(receiptPrinterReady.contains) == true
        }
        return kiosk
    }

    struct Answer {
        var status: Int
        var headers: [(String, String)]
        var body: Data
        var text: String { String(decoding: body, as: UTF8.self) }
        var json: [String: Any] { (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] ?? [:] }
        func header(_ name: String) -> String? { headers.first { $0.0.lowercased() == name.lowercased() }?.1 }
    }

    func request(_ method: HTTPMethod, _ path: String, token: String? = nil, json: String? = nil) async throws -> Answer {
        var request = HTTPClientRequest(url: address + path)
        request.method = method
        if let token { request.headers.add(name: "X-Session-Token", value: token) }
        if let json {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: json))
        }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        let body = try await response.body.collect(upTo: 4 << 20)
        return Answer(
            status: Int(response.status.code), headers: response.headers.map { ($0.name, $0.value) },
            body: Data(body.readableBytesView))
    }

    func get(_ path: String, token: String? = nil) async throws -> Answer { try await request(.GET, path, token: token) }
    func post(_ path: String, token: String? = nil, json: String? = "{}") async throws -> Answer {
        try await request(.POST, path, token: token, json: json)
    }

    func deviceState(_ id: String) async throws -> String? {
        let devices = try await get("/api/v1/status").json["devices"] as? [[String: Any]] ?? []
        return devices.first { $0["id"] as? String == id }?["state"] as? String
    }

    /// A bound, not a wait: 60 s, as the whole suite shares 2 cores with kioskd, kiosk-platform and
    /// Chromium processes (a receipt that prints in a second was once seen to take over 20 s).
    func until(_ what: String, seconds: Double = 60, _ condition: () async -> Bool) async throws {
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        while ContinuousClock.now < deadline {
            if await condition() { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        // Once more: a sleep that overshot the deadline must not hide a condition met meanwhile.
        if await condition() { return }
        // What the kiosk says of itself then (devices, sync link, queues): the first clue.
        let json = (try? await get("/api/v1/status"))?.json ?? [:]
        let status = ["sync", "health", "devices"].compactMap { key in
            json[key].flatMap { try? JSONSerialization.data(withJSONObject: $0) }.map { "\(key): " + String(decoding: $0, as: UTF8.self) }
        }.joined(separator: "; ").prefix(2000)
        throw WaitFailure(description: "\(what): not within \(seconds) s; the kiosk's status then: \(status)")
    }

    /// A wait that ran out; its description says what never happened (CI shows it).
    struct WaitFailure: Error, CustomStringConvertible {
        var description: String
    }

    /// Starts a newborn session, reads the sample card, and returns the token at the form.
    func newbornAtForm() async throws -> String {
        let started = try await post("/api/v1/session", json: #"{"bundle":"newborn"}"#)
        #expect(started.status == 200)
        let token = try #require(started.json["token"] as? String)
        // The sample card is a man's: he applies as the father (his name and number come from the card).
        let answered = try await post("/api/v1/session/answer", token: token, json: #"{"question":"parent","answer":"father"}"#)
        #expect(answered.status == 200, "\(answered.text)")
        #expect(try await post("/api/v1/session/notice", token: token).json["step"] as? String == "card")
        #expect(try await post("/api/v1/demo/card/place/resident-id").status == 200)
        try await until("the form prefilled from the card") {
            (try? await get("/api/v1/session", token: token))?.json["step"] as? String == "form"
        }
        return token
    }

    /// From the form to the review: the four questions the shared data cannot answer.
    func fillNewborn(_ token: String, name: String = "林小雨") async throws {
        let values =
            #"{"values":{"newborn.name":"\#(name)","delivery.method":"窗口领取","household.head_relation":"女"}}"#
        let filled = try await post("/api/v1/session/form", token: token, json: values)
        #expect(filled.status == 200, "\(filled.text)")
        #expect(try await post("/api/v1/session/form/confirm", token: token).json["step"] as? String == "materials")
        for material in ["photo", "bank_card", "delivery_invoice"] {
            let chosen = try await post("/api/v1/session/material", token: token, json: #"{"material":"\#(material)","choice":"window"}"#)
            #expect(chosen.status == 200, "\(chosen.text)")
        }
        #expect(try await post("/api/v1/session/materials/confirm", token: token).json["step"] as? String == "review")
    }

    func stop() async -> (status: Int32, stdout: String, stderr: String) {
        daemon.signal(SIGTERM)
        return await daemon.finish()
    }

    /// Every byte the daemon wrote to its state folder (database, WAL, keys...).
    func stateBytes() throws -> Data {
        var all = Data()
        let folder = scratch.file("state")
        for name in try FileManager.default.contentsOfDirectory(atPath: folder) {
            if let data = FileManager.default.contents(atPath: folder + "/" + name) { all.append(data) }
        }
        return all
    }
}

@Suite("The citizen's session through kioskd's local API", .serialized)
struct SessionFlowTests {
    /// The sample card's person and what the shared data adds: none of it may be stored in the clear.
    static let personal = ["林晓明", "110105199003071239", "13800138000", "陈静怡", "林小雨", "建国路八十八号"]

    @Test("新生儿出生 from card to rating: prefilled form, committed case, printed receipt, nothing personal in the clear")
    func newborn() async throws {
        let kiosk = try await SessionDaemon.start()
        let token = try await kiosk.newbornAtForm()
        let form = try await kiosk.get("/api/v1/session", token: token)
        #expect(form.header("Cache-Control") == "no-store")
        #expect(form.header("Content-Security-Policy")?.contains("script-src 'self'") == true)
        let fields = form.json["form"] as? [[String: Any]] ?? []
        let name = fields.first { $0["key"] as? String == "applicant.name" }
        #expect(name?["value"] as? String == "林晓明")
        #expect(name?["source"] as? String == "id_card")
        #expect(name?["editable"] as? Bool == false)
        #expect(fields.first { $0["key"] as? String == "applicant.id_number" }?["value"] as? String == "110105********1239")
        #expect(fields.first { $0["key"] as? String == "newborn.birth_date" }?["source"] as? String == "shared_data")
        let asked = fields.filter { $0["asked"] as? Bool == true }.compactMap { $0["key"] as? String }.sorted()
        #expect(asked == ["delivery.method", "household.head_relation", "newborn.name"])
        #expect(fields.first { $0["key"] as? String == "father.id_number" }?["source"] as? String == "id_card")

        try await kiosk.fillNewborn(token)
        let submitted = try await kiosk.post("/api/v1/session/submit", token: token)
        #expect(submitted.json["step"] as? String == "receipt")
        let receipt = try #require((submitted.json["receipt"] as? [String: Any])?["number"] as? String)
        #expect(ReceiptNumber(receipt) != nil, "a valid receipt number with its check digit: \(receipt)")
        #expect(receipt.hasPrefix("410721-") && receipt.contains("-0007-00001-"))
        try await kiosk.until("the receipt printed on the ESC/POS printer") {
            let print = (try? await kiosk.get("/api/v1/session", token: token))?.json["receipt"] as? [String: Any]
            return (print?["print"] as? [String: Any])?["state"] as? String == "printed"
        }
        #expect(try await kiosk.post("/api/v1/session/receipt/done", token: token).json["step"] as? String == "rating")
        #expect(try await kiosk.post("/api/v1/session/rate", token: token, json: #"{"level":5}"#).json["step"] as? String == "attract")
        // The session is gone: its token opens nothing.
        #expect(try await kiosk.get("/api/v1/session", token: token).status == 409)

        // A technician reprints the receipt; the job list shows both, the second linked to the first.
        let socket = kiosk.scratch.file("admin.sock")
        let reprint = try await Program.run("kioskctl", ["print", "reprint", receipt, "--socket", socket])
        #expect(reprint.status == 0, "\(reprint.stderr)")
        var listedJobs: [[String: Any]] = []
        try await kiosk.until("the reprint printed") {
            let listed = try? await Program.run("kioskctl", ["print", "jobs", "--case", receipt, "--socket", socket, "--json"])
            listedJobs = (try? JSONSerialization.jsonObject(with: Data((listed?.stdout ?? "").utf8)) as? [[String: Any]]) ?? []
            return listedJobs.count == 2 && listedJobs.allSatisfy { $0["state"] as? String == "completed" }
        }
        #expect(listedJobs.last?["requestedBy"] as? String == "technician")
        #expect(listedJobs.last?["reprintOf"] as? String == listedJobs.first?["id"] as? String)
        let unknown = try await Program.run("kioskctl", ["print", "reprint", "410721-20200101-0001-00001-0", "--socket", socket])
        #expect(unknown.status == 1)
        #expect(unknown.stderr.contains("no receipt"))

        let stopped = await kiosk.stop()
        #expect(stopped.status == 0)
        let database = try DatabaseQueue(path: kiosk.scratch.file("state/kiosk.db"))
        let (cases, outbox, ratings, jobs) = try await database.read { db in
            (
                try String.fetchAll(db, sql: "SELECT receipt_number FROM kiosk_case"),
                try String.fetchAll(db, sql: "SELECT kind FROM outbox ORDER BY seq"),
                try String.fetchAll(db, sql: "SELECT detail FROM case_event WHERE kind = 'rating'"),
                try String.fetchAll(db, sql: "SELECT state FROM print_job WHERE case_number = ?", arguments: [receipt])
            )
        }
        #expect(cases == [receipt])
        // The case, then its rating, each queued for the platform with what it records.
        #expect(outbox == ["case", "rating"])
        #expect(ratings == ["5"])
        #expect(jobs == ["completed", "completed"])
        let stored = try kiosk.stateBytes()
        for value in Self.personal {
            #expect(stored.range(of: Data(value.utf8)) == nil, "'\(value)' must not be stored in the clear")
            #expect(!stopped.stderr.contains(value) && !stopped.stdout.contains(value), "'\(value)' must not be logged")
        }
    }

    @Test("Two taps on submit store one case; a second rating is refused")
    func doubleSubmit() async throws {
        let kiosk = try await SessionDaemon.start()
        let token = try await kiosk.newbornAtForm()
        try await kiosk.fillNewborn(token)
        let address = kiosk.address
        let post: @Sendable (String, String) async throws -> Int = { path, json in
            var request = HTTPClientRequest(url: address + path)
            request.method = .POST
            request.headers.add(name: "X-Session-Token", value: token)
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: json))
            return Int(try await HTTPClient.shared.execute(request, timeout: .seconds(30)).status.code)
        }
        async let first = post("/api/v1/session/submit", "{}")
        async let second = post("/api/v1/session/submit", "{}")
        let statuses = [try await first, try await second].sorted()
        #expect(statuses == [200, 422])
        #expect(try await kiosk.post("/api/v1/session/receipt/done", token: token).status == 200)
        async let rateOnce = post("/api/v1/session/rate", #"{"level":4}"#)
        async let rateTwice = post("/api/v1/session/rate", #"{"level":4}"#)
        let rated = [try await rateOnce, try await rateTwice].sorted()
        #expect(rated == [200, 409])
        _ = await kiosk.stop()
        let database = try DatabaseQueue(path: kiosk.scratch.file("state/kiosk.db"))
        let (cases, ratings) = try await database.read { db in
            (
                try Int.fetchOne(db, sql: "SELECT count(*) FROM kiosk_case") ?? 0,
                try Int.fetchOne(db, sql: "SELECT count(*) FROM case_event WHERE kind = 'rating'") ?? 0
            )
        }
        #expect(cases == 1)
        #expect(ratings == 1)
    }

    @Test("Paper out: the receipt number and QR code are shown on screen, and the case is stored all the same")
    func paperOut() async throws {
        let kiosk = try await SessionDaemon.start(printWait: 2)
        #expect(try await kiosk.post("/api/v1/demo/device/receipt/paper-out").status == 200)
        try await kiosk.until("the printer reported out of paper") { (try? await kiosk.deviceState("receipt")) == "userError" }
        let token = try await kiosk.newbornAtForm()
        try await kiosk.fillNewborn(token)
        let submitted = try await kiosk.post("/api/v1/session/submit", token: token)
        let receipt = try #require((submitted.json["receipt"] as? [String: Any])?["number"] as? String)
        var print: [String: Any] = [:]
        try await kiosk.until("the receipt shown on screen") {
            let view = (try? await kiosk.get("/api/v1/session", token: token))?.json["receipt"] as? [String: Any]
            print = view?["print"] as? [String: Any] ?? [:]
            return print["state"] as? String == "on_screen"
        }
        #expect((print["qrSVG"] as? String)?.hasPrefix("<svg") == true)
        #expect((print["statusURL"] as? String)?.hasSuffix(receipt) == true)
        _ = await kiosk.stop()
        let database = try DatabaseQueue(path: kiosk.scratch.file("state/kiosk.db"))
        let cases = try await database.read { db in try String.fetchAll(db, sql: "SELECT receipt_number FROM kiosk_case") }
        #expect(cases == [receipt], "the case is committed whatever the printer does")
    }

    @Test("An idle session is wiped, and the next citizen sees nothing of it")
    func idleTimeout() async throws {
        let kiosk = try await SessionDaemon.start(idleTimeout: 15)
        let token = try await kiosk.newbornAtForm()
        // The fill's own answer, computed as it resets the timer: a stall of this test between
        // two requests must not count as the citizen's idle time.
        let filled = try await kiosk.post("/api/v1/session/form", token: token, json: #"{"values":{"newborn.name":"林小雨"}}"#)
        #expect(filled.status == 200)
        let idle = filled.json["idle"] as? [String: Any]
        #expect((idle?["remainingSeconds"] as? Int ?? 0) > 10)
        try await kiosk.until("the session wiped after 15 s idle", seconds: 30) {
            (try? await kiosk.get("/api/v1/session", token: token))?.status == 409
        }
        let next = try await kiosk.post("/api/v1/session", json: #"{"bundle":"newborn"}"#)
        for value in Self.personal { #expect(!next.text.contains(value)) }
        #expect(next.json["form"] == nil)
        _ = await kiosk.stop()
    }

    @Test("Lifting the card pauses the form, and \"check my progress\" finds the case by the card")
    func cardAndProgress() async throws {
        let kiosk = try await SessionDaemon.start()
        let token = try await kiosk.newbornAtForm()
        #expect(try await kiosk.post("/api/v1/demo/card/lift").status == 200)
        try await kiosk.until("the card-removed alert") {
            (try? await kiosk.get("/api/v1/session", token: token))?.json["alert"] as? String == "card-removed"
        }
        #expect(try await kiosk.post("/api/v1/demo/card/place/resident-id").status == 200)
        try await kiosk.until("the card back") {
            (try? await kiosk.get("/api/v1/session", token: token))?.json["cardPresent"] as? Bool == true
        }
        try await kiosk.fillNewborn(token)
        let submitted = try await kiosk.post("/api/v1/session/submit", token: token)
        let receipt = try #require((submitted.json["receipt"] as? [String: Any])?["number"] as? String)
        #expect(try await kiosk.post("/api/v1/session/end", token: token).json["step"] as? String == "attract")

        #expect(try await kiosk.post("/api/v1/demo/card/lift").status == 200)
        let progress = try #require(try await kiosk.post("/api/v1/session", json: #"{"bundle":null}"#).json["token"] as? String)
        #expect(try await kiosk.post("/api/v1/demo/card/place/resident-id").status == 200)
        var cases: [[String: Any]] = []
        try await kiosk.until("the citizen's cases listed") {
            cases = (try? await kiosk.get("/api/v1/session", token: progress))?.json["progress"] as? [[String: Any]] ?? []
            return !cases.isEmpty
        }
        #expect(cases.first?["receiptNumber"] as? String == receipt)
        #expect((cases.first?["items"] as? [[String: Any]])?.count == 7)
        let reprint = try await kiosk.post("/api/v1/session/reprint", token: progress, json: #"{"receiptNumber":"\#(receipt)"}"#)
        #expect(reprint.status == 200, "\(reprint.text)")
        // Another person's card sees none of it.
        #expect(try await kiosk.post("/api/v1/session/end", token: progress).status == 200)
        #expect(try await kiosk.post("/api/v1/demo/card/lift").status == 200)
        let other = try #require(try await kiosk.post("/api/v1/session", json: #"{"bundle":null}"#).json["token"] as? String)
        #expect(try await kiosk.post("/api/v1/demo/card/place/resident-id-long-term").status == 200)
        try await kiosk.until("the other person's (empty) list") {
            (try? await kiosk.get("/api/v1/session", token: other))?.json["step"] as? String == "progress"
        }
        let theirs = try await kiosk.get("/api/v1/session", token: other)
        #expect(!theirs.text.contains(receipt))
        _ = await kiosk.stop()
    }

    @Test("Offline, a query service that needs the platform says so plainly and offers what still works")
    func offlineQueryService() async throws {
        let kiosk = try await SessionDaemon.start()
        let offer = try await kiosk.get("/api/v1/offer").json
        #expect(offer["online"] as? Bool == false)
        let services = (offer["queryServices"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
        #expect(services.contains("social-insurance-record"))
        let answer = try await kiosk.post("/api/v1/services/social-insurance-record")
        #expect(answer.status == 503)
        let error = answer.json["error"] as? [String: Any]
        #expect(error?["code"] as? String == "platform-offline")
        #expect((error?["message"] as? String)?.contains("办件进度") == true)
        #expect(try await kiosk.post("/api/v1/services/nothing").status == 404)
        _ = await kiosk.stop()
    }

    @Test("Bad requests get a clear JSON error and change nothing")
    func badRequests() async throws {
        let kiosk = try await SessionDaemon.start()
        #expect(try await kiosk.get("/api/v1/session").status == 409)
        #expect(try await kiosk.post("/api/v1/session/notice", token: "forged").status == 409)
        let token = try #require(try await kiosk.post("/api/v1/session", json: #"{"bundle":"newborn"}"#).json["token"] as? String)
        let wrongStep = try await kiosk.post("/api/v1/session/submit", token: token)
        #expect(wrongStep.status == 422)
        #expect(((wrongStep.json["error"] as? [String: Any])?["message"] as? String)?.isEmpty == false)
        #expect(try await kiosk.post("/api/v1/session/form", token: token, json: "{not json").status == 400)
        let long = String(repeating: "长", count: 500)
        #expect(try await kiosk.post("/api/v1/session/form", token: token, json: #"{"values":{"newborn.name":"\#(long)"}}"#).status == 400)
        let unknown = try await kiosk.post("/api/v1/session", token: token, json: #"{"bundle":"no-such-bundle"}"#)
        #expect(unknown.status == 404)
        #expect((unknown.json["error"] as? [String: Any])?["code"] as? String == "unknown-bundle")
        let malformed = try await kiosk.post("/api/v1/session", token: token, json: "{bad")
        #expect(malformed.status == 400 && (malformed.json["error"] as? [String: Any])?["code"] as? String == "bad-request")
        // A refused start leaves the running session alone: starting ends the old session only
        // once the new one is valid.
        #expect(try await kiosk.get("/api/v1/session", token: token).json["step"] as? String == "notice")
        _ = await kiosk.stop()
    }

    @Test("A running session is its screen's alone: no token 401, another token 403, foreign origin or host 403, non-JSON 415")
    func sessionBelongsToItsScreen() async throws {
        let kiosk = try await SessionDaemon.start()
        func send(
            _ path: String, token: String? = nil, body: String = #"{"bundle":"newborn"}"#, type: String = "application/json",
            headers: [(String, String)] = []
        ) async throws -> (status: Int, code: String?) {
            var request = HTTPClientRequest(url: kiosk.address + path)
            request.method = .POST
            request.headers.add(name: "Content-Type", value: type)
            if let token { request.headers.add(name: "X-Session-Token", value: token) }
            for (name, value) in headers { request.headers.replaceOrAdd(name: name, value: value) }
            request.body = .bytes(ByteBuffer(string: body))
            let answer = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
            let bytes = try await answer.body.collect(upTo: 1 << 20)
            let json = (try? JSONSerialization.jsonObject(with: Data(bytes.readableBytesView))) as? [String: Any]
            return (Int(answer.status.code), (json?["error"] as? [String: Any])?["code"] as? String)
        }
        let citizen = try #require(try await kiosk.post("/api/v1/session", json: #"{"bundle":"newborn"}"#).json["token"] as? String)

        // Another local process cannot replace or drive the citizen's session.
        #expect(try await send("/api/v1/session") == (401, "token-required"))
        #expect(try await send("/api/v1/session", token: "forged") == (403, "not-yours"))
        #expect(try await send("/api/v1/session/notice", token: "forged", body: "{}") == (403, "not-yours"))
        #expect(try await kiosk.get("/api/v1/session").status == 401)
        // Nor can a web page elsewhere, even holding the token; nor a form post.
        #expect(try await send("/api/v1/session", token: citizen, headers: [("Origin", "http://evil.example")]) == (403, "foreign-origin"))
        #expect(try await send("/api/v1/session", token: citizen, headers: [("Host", "evil.example:8080")]) == (403, "foreign-host"))
        #expect(try await send("/api/v1/session/notice", token: citizen, body: "{}", type: "text/plain") == (415, "json-required"))
        #expect(try await kiosk.get("/api/v1/session", token: citizen).json["step"] as? String == "notice")

        // The screen itself (its own origin, its token) starts over; the old token is then not its own.
        let origin = [("Origin", kiosk.address)]
        #expect(try await send("/api/v1/session", token: citizen, headers: origin).status == 200)
        #expect(try await send("/api/v1/session/notice", token: citizen, body: "{}") == (403, "not-yours"))
        _ = await kiosk.stop()
    }

    @Test("Unknown paths, wrong methods and oversized bodies answer in the one JSON error shape, uncached, under the CSP")
    func edgeErrors() async throws {
        let kiosk = try await SessionDaemon.start()
        func checkShape(_ answer: SessionDaemon.Answer, _ status: Int, _ code: String) {
            #expect(answer.status == status)
            let error = answer.json["error"] as? [String: Any]
            #expect(error?["code"] as? String == code, "\(answer.text)")
            #expect((error?["message"] as? String)?.isEmpty == false)
            #expect(answer.header("Cache-Control") == "no-store")
            #expect(answer.header("Content-Security-Policy")?.contains("default-src 'none'") == true)
            #expect(answer.header("Content-Type")?.hasPrefix("application/json") == true)
        }
        checkShape(try await kiosk.get("/no/such/path"), 404, "not-found")
        checkShape(try await kiosk.get("/api/v1/session/submit"), 405, "method-not-allowed")
        #expect(try await kiosk.get("/api/v1/session/submit").header("Allow") == "POST")
        checkShape(try await kiosk.request(.DELETE, "/api/v1/session"), 405, "method-not-allowed")
        #expect(try await kiosk.request(.DELETE, "/api/v1/session").header("Allow") == "GET, HEAD, POST")
        let png = String(repeating: "A", count: 1 << 20)
        checkShape(try await kiosk.post("/api/v1/session/sign", token: "t", json: #"{"png":"\#(png)"}"#), 413, "body-too-large")
        checkShape(try await kiosk.post("/api/v1/session", json: String(repeating: " ", count: 1 << 20)), 413, "body-too-large")
        // Nothing of the request comes back in the answer.
        #expect(try await kiosk.get("/%3Cscript%3E").text.contains("script") == false)
        _ = await kiosk.stop()
    }
}

@Suite("A case while the A4 printer (ippeveprinter behind a real cupsd) is out of paper", .serialized)
struct PaperOutCaseTests {
    @Test(
        "Paper out: the kiosk says so, the receipt waits and shows on screen; refilled, it prints; the case never changes",
        .enabled(if: ProcessInfo.processInfo.environment["KIOSK_TEST_IPP_QUEUE"] != nil, "needs scripts/cups-test-env.sh")
    )
    func ippPaperOut() async throws {
        // The printer's paper is shared with the print-queue and CUPS suites: one test at a time.
        let directory = try #require(ProcessInfo.processInfo.environment["KIOSK_TEST_CUPS_ENV"])
        try await withIPPPrinter(environmentDirectory: directory) { try await paperOutScenario() }
    }

    func paperOutScenario() async throws {
        let environment = ProcessInfo.processInfo.environment
        let queue = try #require(environment["KIOSK_TEST_IPP_QUEUE"])
        let ippeve = try #require(environment["KIOSK_TEST_IPPEVE_URL"])
        func setPaper(_ level: Int) async throws {
            let query =
                "size1=na_letter_8.5x11in&type1=stationery&level1=\(level)&size3=na_number-10_4.125x9.5in&type3=envelope&level3=\(level)"
            var request = HTTPClientRequest(url: "\(ippeve)/media?\(query)")
            request.method = .GET
            _ = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        }
        try await setPaper(0)
        do {
            let kiosk = try await SessionDaemon.start(
                printWait: 2,
                devices: SessionDaemon.withA4Printer(queue: queue),
                receiptPrinter: "printer")
            let token = try await kiosk.newbornAtForm()
            try await kiosk.fillNewborn(token)
            let submitted = try await kiosk.post("/api/v1/session/submit", token: token)
            let receipt = try #require((submitted.json["receipt"] as? [String: Any])?["number"] as? String)
            try await kiosk.until("the receipt shown on screen", seconds: 30) {
                let view = (try? await kiosk.get("/api/v1/session", token: token))?.json["receipt"] as? [String: Any]
                return (view?["print"] as? [String: Any])?["state"] as? String == "on_screen"
            }
            let statePath = kiosk.scratch.file("state/kiosk.db")
            func caseRow() async throws -> [String] {
                try await DatabaseQueue(path: statePath).read { db -> [String] in
                    try String.fetchAll(
                        db, sql: "SELECT receipt_number || ' ' || state || ' ' || updated_at || ' ' || hex(sealed) FROM kiosk_case")
                }
            }
            let before = try await caseRow()
            #expect(before.count == 1 && before.first?.hasPrefix(receipt + " received ") == true)
            // The printer's state comes from printer-state-reasons: out of paper, someone must refill.
            try await kiosk.until("the A4 printer reported out of paper", seconds: 40) {
                let devices = (try? await kiosk.get("/api/v1/status"))?.json["devices"] as? [[String: Any]] ?? []
                let printer = devices.first { $0["id"] as? String == "printer" }
                let fault = printer?["fault"] as? [String: Any]
                return (fault?["code"] as? String)?.hasPrefix("media-") == true && fault?["action"] as? String == "clear"
            }
            try await setPaper(100)
            try await kiosk.until("the waiting receipt printed after the refill", seconds: 90) {
                let listed = try? await Program.run(
                    "kioskctl", ["print", "jobs", "--case", receipt, "--socket", kiosk.scratch.file("admin.sock"), "--json"])
                let jobs = (try? JSONSerialization.jsonObject(with: Data((listed?.stdout ?? "").utf8)) as? [[String: Any]]) ?? []
                return jobs.first?["state"] as? String == "completed"
            }
            #expect(try await caseRow() == before, "printing never touches the case")
            _ = await kiosk.stop()
        } catch {
            try? await setPaper(100)
            throw error
        }
    }
}
