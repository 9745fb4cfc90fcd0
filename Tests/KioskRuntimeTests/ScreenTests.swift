import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The citizen's screen as a citizen meets it: Chromium (headless) on kioskd's local API,
/// driven by Selenium from `Tests/Screen/screen_e2e.py`; the receipt printed by a real cupsd.
@Suite("The citizen's screen in headless Chromium", .serialized)
struct ScreenTests {
    /// Screenshots are build artefacts: `.build/screenshots/` (or `KIOSK_SCREENSHOTS`).
    static let screenshots =
        ProcessInfo.processInfo.environment["KIOSK_SCREENSHOTS"] ?? "\(repositoryRoot)/.build/screenshots"

    @Test(
        "新生儿出生 in the browser: card, form, materials, pledge, receipt PDF from cups-pdf, rating, nothing left behind",
        .enabled(if: ProcessInfo.processInfo.environment["KIOSK_TEST_CUPS_PDF_QUEUE"] != nil, "needs scripts/cups-test-env.sh")
    )
    func newbornInChromium() async throws {
        let environment = ProcessInfo.processInfo.environment
        let queue = try #require(environment["KIOSK_TEST_CUPS_PDF_QUEUE"])
        let pdfFolder = try #require(environment["KIOSK_TEST_CUPS_PDF_DIR"])
        // Online, as a kiosk in the field is: the case goes to the platform, sealed.
        let kioskScratch = try Scratch()
        let local = try await LocalPlatform(kiosk: "SCREEN-0001", enrolling: kioskScratch)
        let platform = try await local.start()
        defer { platform.signal(SIGKILL) }
        let kiosk = try await SessionDaemon.start(
            idleTimeout: 15,
            devices: SessionDaemon.withA4Printer(queue: queue),
            receiptPrinter: "printer", scratch: kioskScratch, extra: local.syncSection())
        let run = try Program(
            "/usr/bin/python3", ["\(repositoryRoot)/Tests/Screen/screen_e2e.py", "--url", kiosk.address, "--screenshots", Self.screenshots])
        let (status, stdout, stderr) = await run.finish(timeout: .seconds(240))
        for line in stdout.split(separator: "\n") where line.hasPrefix("FAIL: ") {
            Issue.record("\(line.dropFirst(6))")
        }
        #expect(status == 0, "screen_e2e.py: \(stderr.suffix(2000))")
        let resultLine = try #require(stdout.split(separator: "\n").last { $0.hasPrefix("RESULT ") })
        let result = try #require(try JSONSerialization.jsonObject(with: Data(resultLine.dropFirst(7).utf8)) as? [String: Any])
        print("screen figures: \(resultLine.dropFirst(7))")
        let receipt = try #require(result["receipt"] as? String)
        #expect((result["touches"] as? Int ?? 99) < 20, "a citizen needs fewer than 20 touches")

        // The receipt came out of the real cupsd as a PDF with the bundle and the number (other
        // tests' papers share the folder: only this receipt's is read).
        var text = ""
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline && !text.contains(receipt) {
            text = await Self.pdfTexts(in: pdfFolder).first { $0.contains(receipt) } ?? ""
            if !text.contains(receipt) { try await Task.sleep(for: .milliseconds(250)) }
        }
        #expect(text.contains(receipt), "the receipt PDF carries the case number")
        #expect(text.contains("新生儿出生"), "the receipt PDF carries the bundle's name")
        // The receipt masks the applicant as it always does; the child's name (林芸, typed by
        // pinyin and by handwriting, 芸 beyond GB 2312 level 1) is not on it, but reaches the
        // platform whole, sealed on the way: only the platform opens it.
        #expect(text.contains("林*明") && !text.contains("林晓明"), "the receipt masks the applicant")
        try await SealingTests.drained(kiosk, socket: kioskScratch.file("admin.sock"))
        let caseID = try #require(try await local.cases().first { $0["receiptNumber"] as? String == receipt }?["caseID"] as? String)
        let page = try await SealingTests.workbench(local, case: caseID)
        #expect(page.contains("林芸"), "the platform holds the name whole: \(page.suffix(1500))")
        #expect(try kiosk.stateBytes().range(of: Data("林芸".utf8)) == nil, "the kiosk keeps the name sealed")
        for name in [
            "01-attract", "03-card", "05a-pinyin-keyboard", "05b-handwriting", "05-form", "06-materials", "08-receipt", "09-rating",
            "11-countdown",
        ] {
            #expect(FileManager.default.fileExists(atPath: "\(Self.screenshots)/\(name).png"), "screenshot \(name)")
        }
        _ = await kiosk.stop()
    }

    @Test(
        "Past an offline limit the attract screen closes applications before anyone starts, and opens them again once sync succeeds",
        .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/chromedriver"), "needs chromium-driver (make test installs it)")
    )
    func offlinePolicyInChromium() async throws {
        // The platform is down; one unsent case is the limit here.
        let kioskScratch = try Scratch()
        let local = try await LocalPlatform(kiosk: "OFFLINE-0001", enrolling: kioskScratch)
        let kiosk = try await SessionDaemon.start(scratch: kioskScratch, extra: local.syncSection(offline: "max_unsent_cases: 1"))
        #expect(try await kiosk.submitNewborn(pledge: false) != nil)
        try await kiosk.until("applications to close", seconds: 30) {
            (try? await kiosk.get("/api/v1/offer"))?.json["acceptingApplications"] as? Bool == false
        }
        let closed = try Program(
            "/usr/bin/python3",
            [
                "\(repositoryRoot)/Tests/Screen/offline_e2e.py", "--url", kiosk.address, "--screenshots", Self.screenshots, "--expect",
                "closed",
            ])
        let (closedStatus, closedOutput, closedErrors) = await closed.finish(timeout: .seconds(120))
        for line in closedOutput.split(separator: "\n") where line.hasPrefix("FAIL: ") { Issue.record("\(line.dropFirst(6))") }
        #expect(closedStatus == 0, "offline_e2e.py --expect closed: \(closedErrors.suffix(2000))")

        // The platform comes up: the case goes, and the screen opens by itself.
        let platform = try await local.start()
        let reopened = try Program(
            "/usr/bin/python3",
            [
                "\(repositoryRoot)/Tests/Screen/offline_e2e.py", "--url", kiosk.address, "--screenshots", Self.screenshots, "--expect",
                "open",
            ])
        let (openStatus, openOutput, openErrors) = await reopened.finish(timeout: .seconds(150))
        for line in openOutput.split(separator: "\n") where line.hasPrefix("FAIL: ") { Issue.record("\(line.dropFirst(6))") }
        #expect(openStatus == 0, "offline_e2e.py --expect open: \(openErrors.suffix(2000))")
        #expect(try await local.cases().count == 1)
        _ = await kiosk.stop()
        platform.signal(SIGTERM)
        _ = await platform.finish()
    }

    @Test(
        "A 2017 foreign permanent-resident card number typed on the keypad's letters (ABC) is accepted",
        .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/chromedriver"), "needs chromium-driver (make test installs it)")
    )
    func foreignCardNumberOnKeypad() async throws {
        let kiosk = try await SessionDaemon.start()
        let run = try Program(
            "/usr/bin/python3", ["\(repositoryRoot)/Tests/Screen/keypad_e2e.py", "--url", kiosk.address, "--screenshots", Self.screenshots])
        let (status, stdout, stderr) = await run.finish(timeout: .seconds(120))
        for line in stdout.split(separator: "\n") where line.hasPrefix("FAIL: ") { Issue.record("\(line.dropFirst(6))") }
        #expect(status == 0, "keypad_e2e.py: \(stderr.suffix(2000))")
        _ = await kiosk.stop()
    }

    @Test(
        "Offline, the screen says the road transport certificate waits for the VIN, and offers nothing to type for it",
        .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/chromedriver"), "needs chromium-driver (make test installs it)")
    )
    func sharedDataWaitOnScreen() async throws {
        let kiosk = try await SessionDaemon.start()
        let run = try Program(
            "/usr/bin/python3",
            ["\(repositoryRoot)/Tests/Screen/shared_data_wait_e2e.py", "--url", kiosk.address, "--screenshots", Self.screenshots])
        let (status, stdout, stderr) = await run.finish(timeout: .seconds(120))
        for line in stdout.split(separator: "\n") where line.hasPrefix("FAIL: ") { Issue.record("\(line.dropFirst(6))") }
        #expect(status == 0, "shared_data_wait_e2e.py: \(stderr.suffix(2000))")
        _ = await kiosk.stop()
    }

    /// The text of each PDF cups-pdf wrote, by `pdftotext`.
    static func pdfTexts(in folder: String) async -> [String] {
        let files = FileManager.default.enumerator(atPath: folder)?.compactMap { $0 as? String }.filter { $0.hasSuffix(".pdf") } ?? []
        var texts: [String] = []
        for file in files {
            guard let run = try? Program("/usr/bin/pdftotext", ["\(folder)/\(file)", "-"]) else { continue }
            texts.append(await run.finish().stdout)
        }
        return texts
    }
}
