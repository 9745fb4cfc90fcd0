import AsyncHTTPClient
import Foundation
import GRDB
import KioskAudit
import KioskSeal
import NIOCore
import NIOHTTP1
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The citizen's data end to end with real processes: kioskd seals each case to the platform's
/// key, the platform opens it for the department, the kiosk (every file it has) cannot, and the
/// retention purge leaves nothing of it on the kiosk's disk.
@Suite("Personal data the kiosk cannot read back (real kioskd and kiosk-platform)", .serialized)
struct SealingTests {
    static let personal = SessionFlowTests.personal + ["林小雪"]

    @Test(
        "Sealed at the kiosk, opened only by the platform, still opened after a key rotation, erased after the retention",
        .timeLimit(.minutes(6)))
    func sealedEndToEnd() async throws {
        let kioskScratch = try Scratch()
        let local = try await LocalPlatform(kiosk: "SEAL-0001", enrolling: kioskScratch)
        let platform = try await local.start()
        defer { platform.signal(SIGKILL) }
        var kiosk = try await SessionDaemon.start(scratch: kioskScratch, extra: local.syncSection())
        let socket = kioskScratch.file("admin.sock")
        let enrolledKey = try #require(try await Self.sealingKeyID(socket: socket))
        #expect(try await Self.doctor(socket: socket, "sealing key")?["result"] as? String == "OK")

        // A newborn case, sent and acknowledged.
        let first = try await Self.submit(kiosk, newborn: "林小雨")
        try await Self.drained(kiosk, socket: socket)

        // The department sees the application, opened by the platform.
        let firstID = try #require(try await local.cases().first { $0["receiptNumber"] as? String == first }?["caseID"] as? String)
        let page = try await Self.workbench(local, case: firstID)
        #expect(page.contains("林小雨") && page.contains("林晓明"), "the workbench shows the application:\n\(page.suffix(2000))")
        #expect(!page.contains("sealed-error"))

        // The kiosk, with every file it has, cannot open what it sealed.
        var stopped = await kiosk.stop()
        let sealed = try Self.sealedApplication(kioskScratch, caseID: firstID)
        #expect(try SealedEnvelope(parsing: sealed).keyID == enrolledKey)
        // The outbox holds it as the contract's JSON: base64, with JSONEncoder's escaped slashes.
        let sealedText = Data(sealed.base64EncodedString().replacingOccurrences(of: "/", with: "\\/").utf8)
        #expect(try Self.allBytes(kioskScratch.file("state")).range(of: sealedText) != nil, "held until the retention ends")
        var tried = 0
        for (path, candidate) in try Self.keyCandidates(kioskScratch.file("state")) {
            tried += 1
            guard let keyring = try? SealingKeyring(current: candidate) else { continue }
            #expect(throws: SealError.self, "\(path) opened a sealed case") { try keyring.open(sealed, context: firstID) }
        }
        #expect(tried >= 3, "the lookup key, the device key and the enrolment's files were tried")
        Self.expectNothingPersonal(in: kioskScratch, log: stopped.stdout + stopped.stderr)

        // The platform rotates its sealing key: the kiosk takes it from the signed bundle; the
        // old case still opens with the retired key.
        let rotated = try await Program.run("kiosk-platform", ["sealing", "rotate"] + local.options)
        #expect(rotated.status == 0, "\(rotated.stderr)")
        let rotatedKey = try #require(rotated.stdout.firstMatch(of: /sealing key ([0-9a-f]{16}) is current/).map { String($0.1) })
        kiosk = try await SessionDaemon.start(scratch: kioskScratch, extra: local.syncSection() + "\n  retention_hours: 0")
        try await kiosk.until("the kiosk seals to the rotated key", seconds: 30) {
            let id = try? await Self.sealingKeyID(socket: socket)
            return id != nil && id != enrolledKey
        }
        let second = try await Self.submit(kiosk, newborn: "林小雪")
        try await Self.drained(kiosk, socket: socket)
        let secondID = try #require(try await local.cases().first { $0["receiptNumber"] as? String == second }?["caseID"] as? String)
        #expect(try await Self.workbench(local, case: secondID).contains("林小雪"))
        #expect(try await Self.workbench(local, case: firstID).contains("林小雨"), "a case sealed before the rotation still opens")

        // Retention 0 h: both cases are erased once acknowledged; the doctor says none is held.
        try await kiosk.until("the sealed data purged", seconds: 30) {
            let detail = (try? await Self.doctor(socket: socket, "personal data"))?["detail"] as? String
            return detail?.hasPrefix("none held") == true
        }
        // The platform holds the kiosk's whole audit trail, checked, purge included; the fleet
        // view shows the kiosk on the rotated key.
        try await kiosk.until("the audit trail at the platform", seconds: 30) {
            let kept = (try? AuditTrail(stateDirectory: kioskScratch.file("state")).entries()) ?? []
            let listed = try? await Program.run("kiosk-platform", ["kiosks", "--json"] + local.options)
            let fleet = (try? JSONSerialization.jsonObject(with: Data((listed?.stdout ?? "").utf8))) as? [[String: Any]] ?? []
            let entry = fleet.first { $0["name"] as? String == "SEAL-0001" }
            // Its heartbeat says it seals to the rotated key.
            return kept.contains { $0.kind == "purge" } && entry?["auditHeld"] as? Int == kept.count && entry?["auditProblem"] == nil
                && entry?["sealingKey"] as? String == rotatedKey
        }
        stopped = await kiosk.stop()
        let disk = try Self.allBytes(kioskScratch.file("state"))
        #expect(disk.range(of: sealedText) == nil, "the first case's sealed box is still on the kiosk's disk")
        #expect(disk.range(of: sealedText.suffix(64)) == nil, "a piece of the first case's sealed box is still on disk")
        Self.expectNothingPersonal(in: kioskScratch, log: stopped.stdout + stopped.stderr)
        // Progress still finds both by the card: receipt numbers and stages stay.
        let database = try DatabaseQueue(path: kioskScratch.file("state/kiosk.db"))
        let numbers = try await database.read { db in
            try String.fetchAll(db, sql: "SELECT receipt_number FROM kiosk_case ORDER BY created_at")
        }
        #expect(numbers == [first, second])

        // The audit trail holds the enrolment, the configuration, the rotated key's bundle and
        // the purge, with nothing personal; a tampered line is found and named.
        let state = kioskScratch.file("state")
        let verified = try await Program.run("kioskctl", ["audit", "verify", "--state-dir", state])
        #expect(verified.status == 0 && verified.stdout.hasPrefix("OK:"), "\(verified.stdout)\(verified.stderr)")
        let shown = try await Program.run("kioskctl", ["audit", "show", "--state-dir", state])
        for kind in ["enrolment", "configuration", "bundle-installed", "purge"] {
            #expect(shown.stdout.contains("\t\(kind)\t"), "no \(kind) entry in:\n\(shown.stdout)")
        }
        #expect(shown.stdout.contains("sealing version 1"))
        for value in Self.personal { #expect(!shown.stdout.contains(value)) }
        let file = state + "/audit/audit.jsonl"
        var lines = try String(contentsOfFile: file, encoding: .utf8).split(separator: "\n").map(String.init)
        lines[1] = lines[1].replacingOccurrences(of: "kioskd", with: "nobody")
        try (lines.joined(separator: "\n") + "\n").write(toFile: file, atomically: true, encoding: .utf8)
        let tampered = try await Program.run("kioskctl", ["audit", "verify", "--state-dir", state])
        #expect(tampered.status == 1 && tampered.stdout.contains("line 2 (seq 2): altered"), "\(tampered.stdout)\(tampered.stderr)")
    }

    // MARK: Steps

    static func submit(_ kiosk: SessionDaemon, newborn: String) async throws -> String {
        let token = try await kiosk.newbornAtForm()
        try await kiosk.fillNewborn(token, name: newborn)
        let submitted = try await kiosk.post("/api/v1/session/submit", token: token)
        let number = try #require((submitted.json["receipt"] as? [String: Any])?["number"] as? String, "\(submitted.text)")
        _ = try await kiosk.post("/api/v1/session/end", token: token)
        _ = try await kiosk.post("/api/v1/demo/card/lift")
        return number
    }

    static func drained(_ kiosk: SessionDaemon, socket: String) async throws {
        try await kiosk.until("the case and its attachments at the platform", seconds: 60) {
            let status = try? await Program.run("kioskctl", ["sync", "status", "--json", "--socket", socket])
            let json = (try? JSONSerialization.jsonObject(with: Data((status?.stdout ?? "").utf8))) as? [String: Any]
            return json?["queueDepth"] as? Int == 0 && json?["unsentAttachments"] as? Int == 0
        }
    }

    static func doctor(socket: String, _ name: String) async throws -> [String: Any]? {
        let run = try await Program.run("kioskctl", ["doctor", "--json", "--socket", socket])
        let json = (try JSONSerialization.jsonObject(with: Data(run.stdout.utf8))) as? [String: Any]
        return (json?["checks"] as? [[String: Any]])?.first { $0["area"] as? String == "privacy" && $0["name"] as? String == name }
    }

    /// The key id the doctor says cases are sealed to.
    static func sealingKeyID(socket: String) async throws -> String? {
        let detail = try await doctor(socket: socket, "sealing key")?["detail"] as? String ?? ""
        return detail.firstMatch(of: /sealed to key ([0-9a-f]{16})/).map { String($0.1) }
    }

    static func workbench(_ local: LocalPlatform, case id: String) async throws -> String {
        let response = try await HTTPClient.shared.execute(
            HTTPClientRequest(url: "http://127.0.0.1:\(local.benchPort)/cases/\(id)"), timeout: .seconds(10))
        #expect(response.status == .ok)
        return String(buffer: try await response.body.collect(upTo: 1 << 20))
    }

    /// The case's sealed application, as the kiosk's outbox holds it (the contract's CaseUpload).
    static func sealedApplication(_ scratch: Scratch, caseID: String) throws -> Data {
        let database = try DatabaseQueue(path: scratch.file("state/kiosk.db"))
        let payload = try #require(
            try database.read { db in
                try Data.fetchOne(db, sql: "SELECT payload FROM outbox WHERE case_id = ? AND kind = 'case'", arguments: [caseID])
            })
        let upload = try #require(try JSONSerialization.jsonObject(with: payload) as? [String: Any])
        return try #require(Data(base64Encoded: upload["sealedApplication"] as? String ?? ""))
    }

    /// Everything in the kiosk's state folder that could be a key: each file's bytes, base64
    /// decoded, and the body of each PEM block, wherever 32 bytes long (an X25519 key's size).
    static func keyCandidates(_ folder: String) throws -> [(String, Data)] {
        var candidates: [(String, Data)] = []
        for path in try files(folder) {
            guard let data = FileManager.default.contents(atPath: path) else { continue }
            let text = String(decoding: data, as: UTF8.self)
            var forms = [data]
            if let decoded = Data(base64Encoded: text.trimmingCharacters(in: .whitespacesAndNewlines)) { forms.append(decoded) }
            for block in text.matches(of: /-----BEGIN [A-Z ]+-----([\s\S]*?)-----END/) {
                if let der = Data(base64Encoded: String(block.1).filter { !$0.isWhitespace }) {
                    forms.append(der)
                    // A PKCS#8 or SEC1 key ends in, or holds, its raw scalar: every 32-byte window.
                    if der.count >= 32 { forms += (0...(der.count - 32)).map { der.subdata(in: $0..<($0 + 32)) } }
                }
            }
            candidates += forms.filter { $0.count == 32 }.map { (path, $0) }
        }
        return candidates
    }

    static func files(_ folder: String) throws -> [String] {
        guard let walker = FileManager.default.enumerator(atPath: folder) else { return [] }
        return walker.compactMap { $0 as? String }.map { folder + "/" + $0 }.filter {
            var directory: ObjCBool = false
            return FileManager.default.fileExists(atPath: $0, isDirectory: &directory) && !directory.boolValue
        }
    }

    static func allBytes(_ folder: String) throws -> Data {
        try files(folder).reduce(into: Data()) { all, path in all.append(FileManager.default.contents(atPath: path) ?? Data()) }
    }

    /// No name, ID number, phone or address, in UTF-8 or UTF-16, in any file of the state folder
    /// (database, WAL, free pages included) or in the log.
    static func expectNothingPersonal(in scratch: Scratch, log: String) {
        let disk = (try? allBytes(scratch.file("state"))) ?? Data()
        #expect(!disk.isEmpty)
        for value in personal {
            #expect(disk.range(of: Data(value.utf8)) == nil, "'\(value)' is on the kiosk's disk (UTF-8)")
            let utf16 = value.utf16.reduce(into: Data()) { $0.append(contentsOf: [UInt8($1 & 0xFF), UInt8($1 >> 8)]) }
            #expect(disk.range(of: utf16) == nil, "'\(value)' is on the kiosk's disk (UTF-16)")
            #expect(!log.contains(value), "'\(value)' is in kioskd's log")
        }
    }
}
