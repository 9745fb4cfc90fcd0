import AsyncHTTPClient
import Foundation
import GRDB
import NIOCore
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// 统一出件 with real processes: a department finishes an item with a result PDF on the platform;
/// the citizen who chose 自助终端打印 finds it under "check my progress" at kioskd, which downloads
/// it over mutual TLS and prints it on a real cupsd's cups-pdf queue; the platform hears of the
/// delivery once, a second visit shows it collected and a reprint is recorded as one.
@Suite("Results collected at the kiosk (real kioskd, kiosk-platform and cupsd)", .serialized)
struct ResultCollectionTests {
    @Test(
        "A finished item's result prints at the kiosk, is delivered once at the platform, reprints as 补打; platform down: a plain message",
        .enabled(if: ProcessInfo.processInfo.environment["KIOSK_TEST_CUPS_PDF_QUEUE"] != nil, "needs scripts/cups-test-env.sh"),
        .timeLimit(.minutes(8)))
    func collectedAtTheKiosk() async throws {
        let environment = ProcessInfo.processInfo.environment
        let queue = try #require(environment["KIOSK_TEST_CUPS_PDF_QUEUE"])
        let pdfFolder = try #require(environment["KIOSK_TEST_CUPS_PDF_DIR"])
        let kioskScratch = try Scratch()
        let local = try await LocalPlatform(kiosk: "RESULT-0001", enrolling: kioskScratch)
        let platform = try await local.start()
        defer { platform.signal(SIGKILL) }
        var kiosk = try await SessionDaemon.start(
            devices: Self.devices(a4Queue: queue), scratch: kioskScratch, extra: local.syncSection())
        let socket = kioskScratch.file("admin.sock")

        // A newborn case whose citizen chose 自助终端打印; the department finishes the birth
        // certificate with its result document.
        let marker = "RESULT-\(UUID().uuidString.prefix(8))"
        let (receipt, caseID) = try await Self.resultReady(kiosk, local: local, socket: socket, text: "Birth certificate \(marker)")

        // First visit: the result is offered for printing...
        var visit = try await Self.progress(kiosk, receipt: receipt)
        #expect(visit.item["label"] as? String == "已办结，可领取")
        #expect(visit.result["printable"] as? Bool == true && visit.result["printed"] as? Int == 0, "\(visit.result)")
        try await Self.leave(kiosk, token: visit.token)
        // ...and the citizen prints it from the screen, which follows the job to the end.
        let before = Set((try? FileManager.default.contentsOfDirectory(atPath: pdfFolder)) ?? [])
        try await Self.browser(kiosk, receipt: receipt, expect: "printed")
        let text = try await Self.newPDFText(in: pdfFolder, besides: before)
        #expect(text.contains(marker), "the printed PDF holds the result: \(text.prefix(300))")

        // The platform shows it delivered, on the kiosk, with no reprint yet.
        try await kiosk.until("the item delivered at the platform", seconds: 60) {
            let cases = (try? await local.cases()) ?? []
            let items = cases.first { $0["caseID"] as? String == caseID }?["items"] as? [[String: Any]] ?? []
            return items.first { $0["id"] as? String == "birth_certificate" }?["stage"] as? String == "delivered"
        }
        var page = try await SealingTests.workbench(local, case: caseID)
        #expect(page.contains("在自助终端 RESULT-0001 打印"), "\(page.suffix(1500))")
        #expect(!page.contains("class=\"reprints\""))

        // Second visit: collected, with a reprint (补打), recorded as a reprint.
        visit = try await Self.progress(kiosk, receipt: receipt)
        #expect(visit.item["label"] as? String == "已领取", "\(visit.item)")
        #expect(visit.result["printed"] as? Int == 1 && visit.result["printable"] as? Bool == true)
        let printed = try await kiosk.post(
            "/api/v1/session/results/print", token: visit.token,
            json: #"{"receiptNumber":"\#(receipt)","item":"birth_certificate"}"#)
        #expect(printed.status == 200, "\(printed.text)")
        try await Self.printed(kiosk, visit: visit, receipt: receipt)
        try await Self.leave(kiosk, token: visit.token)
        try await kiosk.until("the reprint at the platform", seconds: 60) {
            (try? await SealingTests.workbench(local, case: caseID))?.contains("补打 <span class=\"reprints\">1</span> 次") == true
        }

        // A replay: the kiosk sends both reports again (as after an answer lost on the way);
        // the platform answers the same and records nothing twice.
        _ = await kiosk.stop()
        let database = try DatabaseQueue(path: kioskScratch.file("state/kiosk.db"))
        let reports = try await database.write { db in
            try db.execute(sql: "UPDATE outbox SET acknowledged_at = NULL WHERE kind = 'delivery'")
            return db.changesCount
        }
        #expect(reports == 2)
        kiosk = try await SessionDaemon.start(
            devices: Self.devices(a4Queue: queue), scratch: kioskScratch, extra: local.syncSection())
        try await kiosk.until("the reports acknowledged again", seconds: 60) {
            let pending = try? await database.read { db in
                try Int.fetchOne(db, sql: "SELECT count(*) FROM outbox WHERE kind = 'delivery' AND acknowledged_at IS NULL")
            }
            return pending == 0
        }
        page = try await SealingTests.workbench(local, case: caseID)
        #expect(page.contains("补打 <span class=\"reprints\">1</span> 次"), "a replayed reprint was counted twice")
        #expect(page.components(separatedBy: "在自助终端 RESULT-0001 打印").count == 2, "one delivery line")

        // The platform down: the print is refused at once, in plain words; the citizen is not held.
        platform.signal(SIGKILL)
        _ = await platform.finish()
        visit = try await Self.progress(kiosk, receipt: receipt)
        let started = ContinuousClock.now
        let refused = try await kiosk.post(
            "/api/v1/session/results/print", token: visit.token,
            json: #"{"receiptNumber":"\#(receipt)","item":"birth_certificate"}"#)
        // The kiosk's own bound is 10 s; the margin is for this test process, which a loaded
        // machine stalls at times. Waiting out the sync timeout (30 s) would still fail.
        #expect(ContinuousClock.now - started < .seconds(25), "the attempt took \(ContinuousClock.now - started)")
        #expect(refused.status == 503, "\(refused.text)")
        let message = (refused.json["error"] as? [String: Any])?["message"] as? String ?? refused.text
        #expect(message.contains("暂时无法连接政务服务平台"), "\(message)")
        let shown = try await Self.progress(kiosk, receipt: receipt, token: visit.token)
        #expect(shown.result["printState"] as? String == "failed")
        try await Self.leave(kiosk, token: visit.token)
        // The same on the citizen's screen: told at once, in plain words, where else to collect it.
        try await Self.browser(kiosk, receipt: receipt, expect: "offline")

        // Nothing of the person in kioskd's log, database or WAL.
        let stopped = await kiosk.stop()
        SealingTests.expectNothingPersonal(in: kioskScratch, log: stopped.stdout + stopped.stderr)
    }

    @Test(
        "Paper out while a result prints: the citizen is told plainly; the session's end cancels the job and nothing is delivered",
        .enabled(if: ProcessInfo.processInfo.environment["KIOSK_TEST_IPP_QUEUE"] != nil, "needs scripts/cups-test-env.sh"),
        .timeLimit(.minutes(6)))
    func paperOut() async throws {
        // The printer's paper is shared with the print-queue and CUPS suites: one test at a time.
        let directory = try #require(ProcessInfo.processInfo.environment["KIOSK_TEST_CUPS_ENV"])
        try await withIPPPrinter(environmentDirectory: directory) { try await paperOutScenario() }
    }

    func paperOutScenario() async throws {
        let queue = try #require(ProcessInfo.processInfo.environment["KIOSK_TEST_IPP_QUEUE"])
        let setPaper = Self.setPaper
        let kioskScratch = try Scratch()
        let local = try await LocalPlatform(kiosk: "RESULT-0002", enrolling: kioskScratch)
        let platform = try await local.start()
        defer { platform.signal(SIGKILL) }
        let kiosk = try await SessionDaemon.start(devices: Self.devices(a4Queue: queue), scratch: kioskScratch, extra: local.syncSection())
        let (receipt, _) = try await Self.resultReady(kiosk, local: local, socket: kioskScratch.file("admin.sock"))
        try await setPaper(0)
        do {
            let visit = try await Self.progress(kiosk, receipt: receipt)
            let printed = try await kiosk.post(
                "/api/v1/session/results/print", token: visit.token,
                json: #"{"receiptNumber":"\#(receipt)","item":"birth_certificate"}"#)
            #expect(printed.status == 200, "\(printed.text)")
            var message = ""
            try await kiosk.until("the paper-out told on screen", seconds: 60) {
                let shown = try? await Self.progress(kiosk, receipt: receipt, token: visit.token)
                message = shown?.result["printMessage"] as? String ?? ""
                return shown?.result["printState"] as? String == "waiting"
            }
            #expect(message.contains("打印机缺纸"), "\(message)")
            // The citizen leaves: the job is cancelled, and the paper coming back prints nothing for nobody.
            try await Self.leave(kiosk, token: visit.token)
            try await setPaper(100)
            let stopped = await kiosk.stop()
            let log = stopped.stdout + stopped.stderr
            #expect(log.contains("Result print cancelled"), "\(log.suffix(2000))")
            #expect(log.contains("Result print did not complete"), "the job followed to its end")
            let database = try DatabaseQueue(path: kioskScratch.file("state/kiosk.db"))
            let delivered = try await database.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM result_delivery") }
            #expect(delivered == 0, "a cancelled job counted as delivered")
        } catch {
            try? await setPaper(100)
            throw error
        }
    }

    @Test(
        "kioskd killed while a result waits for paper: the job that completes meanwhile is delivered once at the next start",
        .enabled(if: ProcessInfo.processInfo.environment["KIOSK_TEST_IPP_QUEUE"] != nil, "needs scripts/cups-test-env.sh"),
        .timeLimit(.minutes(6)))
    func cutByRestart() async throws {
        let directory = try #require(ProcessInfo.processInfo.environment["KIOSK_TEST_CUPS_ENV"])
        try await withIPPPrinter(environmentDirectory: directory) {
            do {
                try await restartScenario()
            } catch {
                try? await Self.setPaper(100)
                throw error
            }
        }
    }

    func restartScenario() async throws {
        let queue = try #require(ProcessInfo.processInfo.environment["KIOSK_TEST_IPP_QUEUE"])
        let kioskScratch = try Scratch()
        let local = try await LocalPlatform(kiosk: "RESULT-0003", enrolling: kioskScratch)
        let platform = try await local.start()
        defer { platform.signal(SIGKILL) }
        var kiosk = try await SessionDaemon.start(devices: Self.devices(a4Queue: queue), scratch: kioskScratch, extra: local.syncSection())
        let (receipt, caseID) = try await Self.resultReady(kiosk, local: local, socket: kioskScratch.file("admin.sock"))
        try await Self.setPaper(0)
        let visit = try await Self.progress(kiosk, receipt: receipt)
        let printed = try await kiosk.post(
            "/api/v1/session/results/print", token: visit.token, json: #"{"receiptNumber":"\#(receipt)","item":"birth_certificate"}"#)
        #expect(printed.status == 200, "\(printed.text)")
        try await kiosk.until("the job waiting for paper", seconds: 60) {
            (try? await Self.progress(kiosk, receipt: receipt, token: visit.token))?.result["printState"] as? String == "waiting"
        }

        // kioskd dies with the job in CUPS; the paper comes back and the job prints.
        kiosk.daemon.signal(SIGKILL)
        _ = await kiosk.daemon.finish()
        let database = try DatabaseQueue(path: kioskScratch.file("state/kiosk.db"))
        let count = { (sql: String) in try await database.read { db in try Int.fetchOne(db, sql: sql) ?? -1 } }
        #expect(try await count("SELECT count(*) FROM result_print") == 1, "the job under way is remembered")
        try await Self.setPaper(100)
        try await kiosk.until("CUPS to finish the job", seconds: 60) {
            (try? await CertificateTests.pendingJobs(queue))?.contains("\(queue)-") == false
        }

        // A CUPS whose job numbers were reset meanwhile: a number remembered for this item now
        // belongs to another office's job. It is neither taken for ours nor cancelled.
        let letter = kioskScratch.file("letter.txt")
        try Data("另一部门的通知\n".utf8).write(to: URL(fileURLWithPath: letter))
        let other = try await Program.run("/usr/bin/lp", ["-d", queue, "-t", "another office's letter", letter])
        let otherJob = try #require(
            other.stdout.split(separator: " ").first { $0.hasPrefix("\(queue)-") }.flatMap { Int($0.dropFirst(queue.count + 1)) },
            "lp: \(other.stdout) \(other.stderr)")
        try await database.write { db in
            try db.execute(
                sql:
                    "INSERT INTO result_print (job, case_id, item_id, result_sha256, started_at) VALUES (?, ?, 'birth_certificate', NULL, ?)",
                arguments: [otherJob, caseID, Date()])
        }
        try await kiosk.until("CUPS to finish the other job", seconds: 60) {
            (try? await CertificateTests.pendingJobs(queue))?.contains("\(queue)-") == false
        }

        // The next start asks CUPS: printed, so delivered, and reported once.
        kiosk = try await SessionDaemon.start(devices: Self.devices(a4Queue: queue), scratch: kioskScratch, extra: local.syncSection())
        try await kiosk.until("the item delivered at the platform", seconds: 60) {
            let cases = (try? await local.cases()) ?? []
            let items = cases.first { $0["caseID"] as? String == caseID }?["items"] as? [[String: Any]] ?? []
            return items.first { $0["id"] as? String == "birth_certificate" }?["stage"] as? String == "delivered"
        }
        try await kiosk.until("both remembered jobs settled", seconds: 30) {
            (try? await count("SELECT count(*) FROM result_print")) == 0
        }
        #expect(try await count("SELECT count(*) FROM result_delivery") == 1, "the other office's job is not a delivery")
        let shown = try await Self.progress(kiosk, receipt: receipt)
        #expect(shown.result["printed"] as? Int == 1 && shown.item["label"] as? String == "已领取", "\(shown.item)")
        try await Self.leave(kiosk, token: shown.token)
        let stopped = await kiosk.stop()
        #expect((stopped.stdout + stopped.stderr).contains("Result printed while kioskd was down"))
        #expect((stopped.stdout + stopped.stderr).contains("Remembered result print is another job now"))
        #expect(try await count("SELECT count(*) FROM outbox WHERE kind = 'delivery'") == 1, "one report, not two")
    }

    // MARK: Steps

    /// Sets the paper of the test environment's ippeveprinter (0: out of paper).
    static func setPaper(_ level: Int) async throws {
        let ippeve = try #require(ProcessInfo.processInfo.environment["KIOSK_TEST_IPPEVE_URL"])
        let query =
            "size1=na_letter_8.5x11in&type1=stationery&level1=\(level)&size3=na_number-10_4.125x9.5in&type3=envelope&level3=\(level)"
        _ = try await HTTPClient.shared.execute(HTTPClientRequest(url: "\(ippeve)/media?\(query)"), timeout: .seconds(10))
    }

    /// A newborn case whose citizen chose 自助终端打印, at the platform, its birth certificate
    /// approved with a result PDF holding `text`: its receipt number and case id.
    static func resultReady(
        _ kiosk: SessionDaemon, local: LocalPlatform, socket: String, text: String = "Birth certificate"
    ) async throws -> (receipt: String, caseID: String) {
        let receipt = try await submit(kiosk, collection: "自助终端打印")
        try await SealingTests.drained(kiosk, socket: socket)
        let caseID = try #require(try await local.cases().first { $0["receiptNumber"] as? String == receipt }?["caseID"] as? String)
        let resultFile = local.scratch.file("result-\(UUID().uuidString.prefix(6)).pdf")
        try pdf(text: text).write(to: URL(fileURLWithPath: resultFile))
        for stage in ["accepted", "in_review", "approved"] {
            let moved = try await Program.run(
                "kiosk-platform",
                ["item", "advance", caseID, "birth_certificate", stage] + (stage == "approved" ? ["--result", resultFile] : [])
                    + local.options)
            #expect(moved.status == 0, "\(moved.stderr)")
        }
        return (receipt, caseID)
    }

    /// The simulated reader, receipt printer and touch panel, and the A4 printer on the test cupsd.
    static func devices(a4Queue: String) -> String {
        """
          - id: idcard
            kind: idcard
            simulate: true
          - id: receipt
            kind: receipt-printer
            simulate: true
          - id: printer
            kind: printer
            queue: \(a4Queue)
          - id: touch
            kind: touch
            simulate: true
        """
    }

    /// A newborn application whose citizen chose how to collect the results; its receipt number.
    static func submit(_ kiosk: SessionDaemon, collection: String) async throws -> String {
        let token = try await kiosk.newbornAtForm()
        let values = #"{"values":{"newborn.name":"林小雨","delivery.method":"\#(collection)","household.head_relation":"女"}}"#
        let filled = try await kiosk.post("/api/v1/session/form", token: token, json: values)
        #expect(filled.status == 200, "\(filled.text)")
        #expect(try await kiosk.post("/api/v1/session/form/confirm", token: token).json["step"] as? String == "materials")
        for material in ["photo", "bank_card", "delivery_invoice"] {
            _ = try await kiosk.post("/api/v1/session/material", token: token, json: #"{"material":"\#(material)","choice":"window"}"#)
        }
        #expect(try await kiosk.post("/api/v1/session/materials/confirm", token: token).json["step"] as? String == "review")
        let submitted = try await kiosk.post("/api/v1/session/submit", token: token)
        let number = try #require((submitted.json["receipt"] as? [String: Any])?["number"] as? String, "\(submitted.text)")
        try await leave(kiosk, token: token)
        return number
    }

    struct Visit {
        var token: String
        var item: [String: Any]
        var result: [String: Any]
    }

    /// "Check my progress" with the sample card, until the birth certificate's result is listed.
    static func progress(_ kiosk: SessionDaemon, receipt: String, token given: String? = nil) async throws -> Visit {
        var token = given ?? ""
        if given == nil {
            token = try #require(try await kiosk.post("/api/v1/session", json: #"{"bundle":null}"#).json["token"] as? String)
            #expect(try await kiosk.post("/api/v1/demo/card/place/resident-id").status == 200)
        }
        var item: [String: Any] = [:]
        try await kiosk.until("the result listed under check my progress", seconds: 60) {
            let cases = (try? await kiosk.get("/api/v1/session", token: token))?.json["progress"] as? [[String: Any]] ?? []
            let items = cases.first { $0["receiptNumber"] as? String == receipt }?["items"] as? [[String: Any]] ?? []
            item = items.first { $0["id"] as? String == "birth_certificate" } ?? [:]
            return item["result"] != nil
        }
        return Visit(token: token, item: item, result: item["result"] as? [String: Any] ?? [:])
    }

    /// Until CUPS reported the job completed and the screen says so.
    static func printed(_ kiosk: SessionDaemon, visit: Visit, receipt: String) async throws {
        var state = ""
        try await kiosk.until("the result printed", seconds: 60) {
            let shown = try? await progress(kiosk, receipt: receipt, token: visit.token)
            state = shown?.result["printState"] as? String ?? ""
            return state == "printed" || state == "failed"
        }
        #expect(state == "printed")
    }

    /// Tests/Screen/results_e2e.py in headless Chromium against this kiosk.
    static func browser(_ kiosk: SessionDaemon, receipt: String, expect: String) async throws {
        let run = try Program(
            "/usr/bin/python3",
            [
                "\(repositoryRoot)/Tests/Screen/results_e2e.py", "--url", kiosk.address, "--screenshots", ScreenTests.screenshots,
                "--receipt", receipt, "--expect", expect,
            ])
        let (status, stdout, stderr) = await run.finish(timeout: .seconds(180))
        for line in stdout.split(separator: "\n") where line.hasPrefix("FAIL: ") { Issue.record("\(line.dropFirst(6))") }
        #expect(status == 0, "results_e2e.py --expect \(expect): \(stderr.suffix(2000))")
    }

    static func leave(_ kiosk: SessionDaemon, token: String) async throws {
        _ = try await kiosk.post("/api/v1/session/end", token: token)
        _ = try await kiosk.post("/api/v1/demo/card/lift")
    }

    /// The text of the PDF cups-pdf wrote since `before` (waiting for the file to be complete).
    static func newPDFText(in folder: String, besides before: Set<String>) async throws -> String {
        var text = ""
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            let fresh = Set((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).subtracting(before)
            for file in fresh where file.hasSuffix(".pdf") {
                let run = try Program("/usr/bin/pdftotext", ["\(folder)/\(file)", "-"])
                let output = await run.finish()
                if output.status == 0 { text += output.stdout }
            }
            if !text.isEmpty { return text }
            try await Task.sleep(for: .milliseconds(100))
        }
        return text
    }

    /// A one-page PDF with `text` in Helvetica (a standard font: nothing to embed).
    static func pdf(text: String) -> Data {
        let stream = "BT /F1 24 Tf 72 720 Td (\(text)) Tj ET"
        let objects = [
            "<< /Type /Catalog /Pages 2 0 R >>",
            "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
            "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
            "<< /Length \(stream.utf8.count) >>\nstream\n\(stream)\nendstream",
        ]
        var out = "%PDF-1.4\n"
        var offsets: [Int] = []
        for (index, object) in objects.enumerated() {
            offsets.append(out.utf8.count)
            out += "\(index + 1) 0 obj\n\(object)\nendobj\n"
        }
        let xref = out.utf8.count
        out += "xref\n0 \(objects.count + 1)\n0000000000 65535 f \n"
        for offset in offsets { out += String(format: "%010d 00000 n \n", offset) }
        out += "trailer\n<< /Size \(objects.count + 1) /Root 1 0 R >>\nstartxref\n\(xref)\n%%EOF\n"
        return Data(out.utf8)
    }
}
