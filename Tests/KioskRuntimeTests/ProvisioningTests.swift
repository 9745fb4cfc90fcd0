import Foundation
import GRDB
import KioskAPI
import KioskAudit
import KioskConfig
import KioskCore
import KioskStore
import Logging
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// `kioskctl provision apply|show` and `kioskctl factory-reset`, run as a technician runs them,
/// on real files (and a real kioskd where it must be stopped or restarted).
@Suite("Site provisioning and factory reset")
struct ProvisioningTests {
    /// kiosk.yaml of a kiosk living in `scratch`, with the shipped device profiles (and `extra`
    /// appended, e.g. a `sync:` section).
    static func configuration(in scratch: Scratch, extra: String = "") throws -> String {
        try scratch.write(
            "kiosk.yaml",
            """
            kiosk:
              id: TEST-0001
            paths:
              state_dir: \(scratch.file("state"))
              admin_socket: \(scratch.file("admin.sock"))
              admin_group: ""
              profiles_dir: \(repositoryRoot)/Devices
              catalog_dir: \(repositoryRoot)/Provisioning/catalog
              calendar_dir: \(repositoryRoot)/Provisioning/calendar
            api:
              port: 0
            lifecycle:
              shutdown_timeout_seconds: 5
            devices:
              - {id: idcard, kind: idcard, simulate: true}
              - {id: touch, kind: touch, simulate: true}
            \(extra)
            """)
    }

    static let goodProfile = """
        kiosk:
          site: 城关镇便民服务中心 2 号机
          location: 城关镇人民路 8 号一楼大厅
          division_code: 410722
          number: 2
        opening_hours:
          weekdays: 08:30-12:00, 14:00-17:30
          saturday: [09:00-12:00]
          sunday: closed
        session:
          idle_timeout_seconds: 90
          countdown_seconds: 20
          receipt_printer: receipt
        sync:
          platform: https://platform.example.gov.cn:8090/
        devices:
          - {id: idcard, kind: idcard, profile: generic-sam-usb, simulate: true}
          - {id: printer, kind: printer, queue: kiosk-a4, simulate: true}
          - {id: receipt, kind: receipt-printer, profile: generic-escpos-80, simulate: true}

        """

    /// Every file in the folder, with its bytes: what "nothing changed" is checked against.
    static func snapshot(_ folder: String) throws -> [String: Data] {
        var files: [String: Data] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: folder) {
            let path = (folder as NSString).appendingPathComponent(name)
            var isFolder: ObjCBool = false
            if FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), !isFolder.boolValue {
                files[name] = FileManager.default.contents(atPath: path)
            }
        }
        return files
    }

    @Test("A broken site profile changes nothing, and each problem is reported at file:line:column")
    func brokenProfileChangesNothing() async throws {
        let scratch = try Scratch()
        let config = try Self.configuration(in: scratch)
        try FileManager.default.createDirectory(atPath: scratch.file("in"), withIntermediateDirectories: true)
        let good = try scratch.write("in/good.yaml", Self.goodProfile)
        #expect(try await Program.run("kioskctl", ["provision", "apply", good, "--config", config]).status == 0)
        let before = try Self.snapshot(scratch.path)
        #expect(before["site.yaml"] == Data(Self.goodProfile.utf8))

        // Line 3: a 5-digit division code; line 5: an hour that does not exist; line 10: a
        // misspelt key; line 11: a machine setting. Each is wrong on its own; all are reported.
        let broken = try scratch.write(
            "in/broken.yaml",
            """
            kiosk:
              site: 另一个大厅
              division_code: 41072
            opening_hours:
              monday: 08:30-25:00
            devices:
              - id: idcard
                kind: idcard
                profile: generic-sam-usb
                knd: idcard
            paths:
              state_dir: /elsewhere

            """)
        let result = try await Program.run("kioskctl", ["provision", "apply", broken, "--config", config])
        #expect(result.status == 1)
        #expect(result.stderr.contains("\(broken):3:18: kiosk.division_code"), "\(result.stderr)")
        #expect(result.stderr.contains("\(broken):5:11: opening_hours.monday"), "\(result.stderr)")
        #expect(result.stderr.contains("\(broken):10:5: unknown key 'devices[0].knd'"), "\(result.stderr)")
        #expect(result.stderr.contains("\(broken):11:1: 'paths' is not a site setting: it stays in kiosk.yaml"), "\(result.stderr)")
        #expect(result.stderr.contains("nothing changed"))
        #expect(try Self.snapshot(scratch.path) == before, "the applied profile and its folder are untouched (no temporary file left)")

        // A device profile that is not installed is found before anything is written, too.
        let unknownProfile = try scratch.write(
            "in/unknown-profile.yaml", "devices:\n  - {id: idcard, kind: idcard, profile: no-such-reader}\n")
        let refused = try await Program.run("kioskctl", ["provision", "apply", unknownProfile, "--config", config, "--json"])
        #expect(refused.status == 1)
        let answer = try JSONDecoder().decode(ApplyAnswer.self, from: Data(refused.stdout.utf8))
        #expect(answer.applied == false)
        #expect(answer.problems.count == 1)
        #expect(answer.problems.first?.hasPrefix("\(unknownProfile):2:41: devices[0].profile: no profile 'no-such-reader'") == true)
        #expect(try Self.snapshot(scratch.path) == before)
    }

    @Test("A profile that does not parse leaves a kiosk with no profile without one")
    func unparsableProfileOnFreshKiosk() async throws {
        let scratch = try Scratch()
        let config = try Self.configuration(in: scratch)
        let broken = try scratch.write("broken.yaml", "kiosk:\n  site: [unclosed\n")
        let result = try await Program.run("kioskctl", ["provision", "apply", broken, "--config", config])
        #expect(result.status == 1)
        #expect(result.stderr.contains("\(broken):3:1: not valid YAML"), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: scratch.file("site.yaml")))
        let show = try await Program.run("kioskctl", ["provision", "show", "--config", config])
        #expect(show.stdout.contains("site profile: none applied"))
        #expect(show.stdout.contains("next: apply this site's profile"))
    }

    @Test("kioskd reads site.yaml over kiosk.yaml: the site's values win, its devices replace the list, its problems point into it")
    func loaderReadsTheSiteProfileOver() throws {
        let scratch = try Scratch()
        let config = try Self.configuration(in: scratch)
        let site = try scratch.write(
            "site.yaml",
            """
            kiosk:
              site: 大厅
            session:
              idle_timeout_seconds: 60
            devices:
              - {id: printer, kind: printer, queue: q, simulate: true}

            """)
        let loaded = try ConfigurationLoader.load(path: config)
        #expect(loaded.kiosk.id == "TEST-0001", "what the profile does not say stays kiosk.yaml's")
        #expect(loaded.kiosk.site == "大厅")
        #expect(loaded.session.idleTimeoutSeconds == 60)
        #expect(loaded.devices.map(\.id.rawValue) == ["printer"])
        #expect(loaded.openingHours == nil)

        _ = try scratch.write("site.yaml", "session:\n  idle_timeout_seconds: 5\n")
        do {
            _ = try ConfigurationLoader.load(path: config)
            Issue.record("a site profile with a 5-second idle timeout was taken")
        } catch {
            #expect(error.description.hasPrefix("\(site):2:25: session.idle_timeout_seconds must be between"), "\(error)")
        }
    }

    @Test("The example site profile is good; --dry-run checks it and writes nothing")
    func exampleProfile() async throws {
        let scratch = try Scratch()
        let config = try Self.configuration(in: scratch)
        let example = "\(repositoryRoot)/Provisioning/examples/site.yaml"
        let checked = try await Program.run("kioskctl", ["provision", "apply", example, "--config", config, "--dry-run"])
        #expect(checked.status == 0, "\(checked.stderr)")
        #expect(checked.stdout.contains("OK, nothing changed (--dry-run)"))
        #expect(checked.stdout.contains("kiosk-print-queue.sh kiosk-a4"), "the next steps name the printer's queue to create")
        #expect(!FileManager.default.fileExists(atPath: scratch.file("site.yaml")))
    }

    struct ApplyAnswer: Decodable {
        var applied: Bool
        var problems: [String]
        var next: [String]
    }

    struct ShowAnswer: Decodable {
        struct Device: Decodable, Equatable {
            var id: String
            var kind: String
            var profile: String?
            var queue: String?
        }
        var siteProfile: String?
        var name: String?
        var location: String?
        var divisionCode: Int
        var number: Int
        var openingHours: [String: [String]]?
        var idleTimeoutSeconds: Double
        var countdownSeconds: Double
        var receiptPrinter: String?
        var devices: [Device]
        var platform: String?
    }

    @Test("A good site profile applies completely; provision show and kioskd's status report it; a running kioskd is to be restarted")
    func goodProfileAppliesCompletely() async throws {
        let scratch = try Scratch()
        let config = try Self.configuration(in: scratch)
        let good = try scratch.write("good.yaml", Self.goodProfile)
        let applied = try await Program.run("kioskctl", ["provision", "apply", good, "--config", config])
        #expect(applied.status == 0, "\(applied.stderr)")
        #expect(applied.stdout.contains("applied as \(scratch.file("site.yaml"))"))
        #expect(applied.stdout.contains("next: start kioskd"), "kioskd is not running: the next step starts it")
        #expect(FileManager.default.contents(atPath: scratch.file("site.yaml")) == Data(Self.goodProfile.utf8))
        let recorded = try AuditTrail(stateDirectory: scratch.file("state")).entries()
        #expect(recorded.last?.kind == "site-profile" && recorded.last?.detail.contains(good) == true, "\(recorded)")

        let show = try await Program.run("kioskctl", ["provision", "show", "--config", config, "--json"])
        #expect(show.status == 0, "\(show.stderr)")
        let site = try JSONDecoder().decode(ShowAnswer.self, from: Data(show.stdout.utf8))
        #expect(site.siteProfile == scratch.file("site.yaml"))
        #expect(site.name == "城关镇便民服务中心 2 号机")
        #expect(site.location == "城关镇人民路 8 号一楼大厅")
        #expect(site.divisionCode == 410_722 && site.number == 2)
        #expect(site.openingHours?["monday"] == ["08:30-12:00", "14:00-17:30"])
        #expect(site.openingHours?["friday"] == ["08:30-12:00", "14:00-17:30"])
        #expect(site.openingHours?["saturday"] == ["09:00-12:00"])
        #expect(site.openingHours?["sunday"] == [])
        #expect(site.idleTimeoutSeconds == 90 && site.countdownSeconds == 20)
        #expect(site.receiptPrinter == "receipt")
        #expect(site.platform == "https://platform.example.gov.cn:8090/")
        #expect(
            site.devices == [
                .init(id: "idcard", kind: "idcard", profile: "generic-sam-usb"), .init(id: "printer", kind: "printer", queue: "kiosk-a4"),
                .init(id: "receipt", kind: "receipt-printer", profile: "generic-escpos-80"),
            ], "the profile's devices replace kiosk.yaml's list")
        let text = try await Program.run("kioskctl", ["provision", "show", "--config", config])
        #expect(text.stdout.contains("  sunday    closed"))
        #expect(text.stdout.contains("next: "))

        // kioskd reads the profile over kiosk.yaml. The platform is left out here: this test
        // runs no platform, and the kiosk is not enrolled.
        var withoutPlatform = Self.goodProfile.replacingOccurrences(
            of: "sync:\n  platform: https://platform.example.gov.cn:8090/\n", with: "")
        withoutPlatform = withoutPlatform.replacingOccurrences(of: "countdown_seconds: 20", with: "countdown_seconds: 25")
        let offline = try scratch.write("offline.yaml", withoutPlatform)
        #expect(try await Program.run("kioskctl", ["provision", "apply", offline, "--config", config]).status == 0)
        let notify = try NotifyListener(path: scratch.file("notify.sock"))
        let daemon = try Program("kioskd", ["--config", config], environment: ["NOTIFY_SOCKET": notify.address])
        #expect(await notify.waitFor("READY=1", timeout: .seconds(20)) != nil)
        let status = try await Program.run("kioskctl", ["status", "--json", "--socket", scratch.file("admin.sock")])
        let reported = try KioskJSON.decoder().decode(KioskStatus.self, from: Data(status.stdout.utf8))
        #expect(reported.site?.name == "城关镇便民服务中心 2 号机")
        #expect(reported.site?.siteProfile == scratch.file("site.yaml"))
        #expect(reported.site?.openingHours?.last == "sunday: closed")
        #expect(Set(reported.devices.map(\.id.rawValue)) == ["idcard", "printer", "receipt"])
        let doctor = try await Program.run("kioskctl", ["doctor", "--socket", scratch.file("admin.sock")])
        #expect(doctor.stdout.contains("site profile \(scratch.file("site.yaml"))"), "\(doctor.stdout)")

        let again = try await Program.run("kioskctl", ["provision", "apply", good, "--config", config])
        #expect(again.status == 0)
        #expect(again.stdout.contains("next: restart kioskd to use it: systemctl restart kioskd"))
        daemon.signal(SIGTERM)
        #expect(await daemon.finish(timeout: .seconds(15)).status == 0)
    }

    @Test(
        "doctor warns about a configured CUPS queue that stops on the first error, until the provisioning script makes it retry",
        .enabled(if: ProcessInfo.processInfo.environment["KIOSK_TEST_CUPS_PDF_QUEUE"] != nil, "needs scripts/cups-test-env.sh"))
    func stoppingQueueWarned() async throws {
        let environment = ProcessInfo.processInfo.environment
        let server = try #require(environment["CUPS_SERVER"])
        let retrying = try #require(environment["KIOSK_TEST_CUPS_PDF_QUEUE"])
        let stopping = "kiosk-stops-\(UUID().uuidString.prefix(6))"
        let ppd = "/usr/share/ppd/cups-pdf/CUPS-PDF_noopt.ppd"
        // CUPS' default policy, as a queue made by hand with lpadmin has it.
        let made = try await Program.run(
            "/usr/sbin/lpadmin",
            ["-h", server, "-p", stopping, "-E", "-v", "cups-pdf:/\(stopping)", "-P", ppd, "-o", "printer-error-policy=stop-printer"])
        #expect(made.status == 0, "\(made.stderr)")
        defer { _ = Glibc.system("/usr/sbin/lpadmin -h \(server) -x \(stopping)") }

        let scratch = try Scratch()
        let config = try Self.configuration(in: scratch)
        _ = try scratch.write(
            "site.yaml",
            """
            devices:
              - {id: receipt, kind: printer, queue: \(stopping)}
              - {id: forms, kind: printer, queue: \(retrying)}

            """)
        let notify = try NotifyListener(path: scratch.file("notify.sock"))
        let daemon = try Program("kioskd", ["--config", config], environment: ["NOTIFY_SOCKET": notify.address])
        #expect(await notify.waitFor("READY=1", timeout: .seconds(20)) != nil)
        func printingChecks() async throws -> [String: DoctorCheck] {
            let doctor = try await Program.run("kioskctl", ["doctor", "--json", "--socket", scratch.file("admin.sock")])
            let report = try KioskJSON.decoder().decode(DoctorReport.self, from: Data(doctor.stdout.utf8))
            return Dictionary(uniqueKeysWithValues: report.checks.filter { $0.area == "printing" }.map { ($0.name, $0) })
        }
        var checks = try await printingChecks()
        #expect(checks["receipt (CUPS queue \(stopping))"]?.result == .warn)
        #expect(checks["receipt (CUPS queue \(stopping))"]?.hint?.contains("kiosk-print-queue.sh \(stopping)") == true)
        #expect(checks["forms (CUPS queue \(retrying))"]?.result == .ok)

        let fixed = try await Program.run(
            "\(repositoryRoot)/Provisioning/printing/kiosk-print-queue.sh", ["--server", server, stopping, "cups-pdf:/\(stopping)", ppd])
        #expect(fixed.status == 0, "\(fixed.stderr)")
        checks = try await printingChecks()
        #expect(checks["receipt (CUPS queue \(stopping))"]?.result == .ok)
        #expect(checks["receipt (CUPS queue \(stopping))"]?.detail == "error policy retry-job")
        daemon.signal(SIGTERM)
        #expect(await daemon.finish(timeout: .seconds(15)).status == 0)
    }

    /// A state folder as a kiosk in service has it: identity, bundles, the lookup key, the technicians, the
    /// database with one case, and the audit trail.
    static func populatedState(in scratch: Scratch, acknowledged: Bool) async throws -> String {
        let state = scratch.file("state")
        for folder in ["identity", "bundles/catalog/3", "audit"] {
            try FileManager.default.createDirectory(
                atPath: (state as NSString).appendingPathComponent(folder), withIntermediateDirectories: true)
        }
        _ = try scratch.write("state/identity/device-key.pem", "key")
        _ = try scratch.write("state/bundles/catalog/3/bundle.yaml", "bundle")
        _ = try scratch.write("state/lookup.key", "lookup")
        _ = try scratch.write("state/technicians.json", "{\"technicians\":{}}")
        try AuditTrail(stateDirectory: state).record(.enrolment, actor: "kioskctl (uid 0)", detail: "enrolled as TEST-0001")
        let database = scratch.file("state/kiosk.db")
        _ = try CaseStore(path: database, logger: Logger(label: "test"))  // the real schema
        let queue = try DatabaseQueue(path: database)
        try await queue.write { db in
            try db.execute(
                sql: """
                    INSERT INTO kiosk_case (id, receipt_number, bundle_id, state, created_at, updated_at, sealed)
                    VALUES ('c1', '4107210001202611300001', 'newborn', 'submitted', '2026-11-30', '2026-11-30', x'00')
                    """)
            try db.execute(
                sql: """
                    INSERT INTO outbox (case_id, kind, payload, content_hash, created_at, acknowledged_at)
                    VALUES ('c1', 'case', x'00', 'h', '2026-11-30', ?)
                    """, arguments: [acknowledged ? "2026-11-30" : nil])
        }
        try queue.close()
        return state
    }

    @Test(
        "factory-reset refuses while cases wait to be sent; once they are sent, --yes wipes identity, cases and bundles and keeps the audit trail"
    )
    func factoryReset() async throws {
        let scratch = try Scratch()
        let config = try Self.configuration(in: scratch)
        let state = try await Self.populatedState(in: scratch, acknowledged: false)
        let before = try FileManager.default.subpathsOfDirectory(atPath: state).sorted()

        let refused = try await Program.run("kioskctl", ["factory-reset", "--config", config, "--yes"], input: "")
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("1 case(s) wait to be sent to the platform"), "\(refused.stderr)")
        let after = try FileManager.default.subpathsOfDirectory(atPath: state).sorted()
        #expect(after == before, "\(after) != \(before)")

        // The platform acknowledged the case: nothing is lost any more.
        let queue = try DatabaseQueue(path: scratch.file("state/kiosk.db"))
        try await queue.write { try $0.execute(sql: "UPDATE outbox SET acknowledged_at = '2026-11-30'") }
        try queue.close()

        // No terminal and no --yes: nothing to confirm with, nothing changes.
        let unconfirmed = try await Program.run("kioskctl", ["factory-reset", "--config", config], input: "yes\n")
        #expect(unconfirmed.status == 2)
        #expect(unconfirmed.stderr.contains("Pass --yes"))
        #expect(FileManager.default.fileExists(atPath: scratch.file("state/identity/device-key.pem")))

        let reset = try await Program.run("kioskctl", ["factory-reset", "--config", config, "--yes"], input: "")
        #expect(reset.status == 0, "\(reset.stderr)")
        let left = try FileManager.default.subpathsOfDirectory(atPath: state).sorted()
        #expect(left == ["audit", "audit/audit.jsonl"])
        // The trail kept its entries, and says who reset what; its chain still checks.
        let trail = try AuditTrail(stateDirectory: state).entries()
        #expect(trail.map(\.kind) == ["enrolment", "factory-reset"])
        #expect(trail.last?.detail.contains("identity") == true && trail.last?.detail.contains("kiosk.db") == true)
        #expect(AuditTrail.verify(trail).isEmpty)
        #expect(FileManager.default.fileExists(atPath: config), "the configuration stays")
        #expect(reset.stdout.contains("next: enrol again with 'kioskctl enroll"))
        #expect(reset.stdout.contains("kioskctl provision apply"))
    }

    @Test("factory-reset --discard-unsent wipes unsent cases with a loud warning, the audit trail still kept")
    func factoryResetDiscardingUnsent() async throws {
        let scratch = try Scratch()
        let config = try Self.configuration(in: scratch)
        let state = try await Self.populatedState(in: scratch, acknowledged: false)
        let reset = try await Program.run("kioskctl", ["factory-reset", "--config", config, "--yes", "--discard-unsent"], input: "")
        #expect(reset.status == 0, "\(reset.stderr)")
        #expect(reset.stderr.contains("WARNING: 1 case(s) NEVER REACHED THE PLATFORM"))
        #expect(try FileManager.default.subpathsOfDirectory(atPath: state).sorted() == ["audit", "audit/audit.jsonl"])
        #expect(try AuditTrail(stateDirectory: state).entries().last?.detail.contains("1 unsent case(s) discarded") == true)
    }

    @Test("factory-reset refuses while kioskd runs")
    func factoryResetWhileRunning() async throws {
        let scratch = try Scratch()
        let config = try Self.configuration(in: scratch)
        let notify = try NotifyListener(path: scratch.file("notify.sock"))
        let daemon = try Program("kioskd", ["--config", config], environment: ["NOTIFY_SOCKET": notify.address])
        #expect(await notify.waitFor("READY=1", timeout: .seconds(20)) != nil)
        let refused = try await Program.run("kioskctl", ["factory-reset", "--config", config, "--yes"], input: "")
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("kioskd is running"), "\(refused.stderr)")
        #expect(FileManager.default.fileExists(atPath: scratch.file("state/kiosk.db")))
        daemon.signal(SIGTERM)
        #expect(await daemon.finish(timeout: .seconds(15)).status == 0)
        // Stopped: the socket no longer answers, and the reset goes through.
        let reset = try await Program.run("kioskctl", ["factory-reset", "--config", config, "--yes"], input: "")
        #expect(reset.status == 0, "\(reset.stderr)")
        // Whatever kioskd itself left (database, lookup key, a simulator's pipe) is gone.
        #expect(try FileManager.default.subpathsOfDirectory(atPath: scratch.file("state")).sorted() == ["audit", "audit/audit.jsonl"])
        #expect(try AuditTrail(stateDirectory: scratch.file("state")).entries().map(\.kind) == ["configuration", "factory-reset"])
    }
}
