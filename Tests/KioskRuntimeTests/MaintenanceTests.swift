import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// A technician's way into maintenance with real processes: the PIN set with kioskctl, a ticket
/// issued by kiosk-platform and synced to kioskd in a signed bundle, the two factors checked on
/// the local API, never over a citizen's session, applications closed meanwhile, the lockout
/// after five wrong PINs kept through a restart, and every attempt in the audit trail.
@Suite("Technician two-factor maintenance (real kioskd and kiosk-platform)", .serialized)
struct MaintenanceTests {
    static let pin = "135790"

    @Test(
        "PIN and platform ticket open maintenance; five wrong PINs lock it (423), through a restart; all audited", .timeLimit(.minutes(4)))
    func twoFactors() async throws {
        let kioskScratch = try Scratch()
        let local = try await LocalPlatform(kiosk: "MAINT-0001", enrolling: kioskScratch)
        let state = kioskScratch.file("state")
        let set = try await Program.run(
            "kioskctl", ["technician", "set-pin", "zhang", "--pin-stdin", "--state-dir", state], input: Self.pin + "\n")
        #expect(set.status == 0, "\(set.stderr)")
        let listed = try await Program.run("kioskctl", ["technician", "list", "--state-dir", state])
        #expect(listed.stdout == "zhang\n")
        let roster = try String(contentsOfFile: state + "/technicians.json", encoding: .utf8)
        #expect(!roster.contains(Self.pin), "the PIN itself is stored")
        let mode = try FileManager.default.attributesOfItem(atPath: state + "/technicians.json")[.posixPermissions] as? Int
        #expect(mode == 0o600)

        let issued = try await Program.run(
            "kiosk-platform", ["ticket", "create", "--kiosk", "MAINT-0001", "--technician", "zhang", "--minutes", "60"] + local.options)
        #expect(issued.status == 0, "\(issued.stderr)")
        let code = try #require(issued.stdout.firstMatch(of: /: (\d{8})\n/).map { String($0.1) }, "\(issued.stdout)")
        #expect(issued.stdout.contains("valid until") && issued.stdout.contains("next sync"))
        let unknown = try await Program.run(
            "kiosk-platform", ["ticket", "create", "--kiosk", "NOPE-0001", "--technician", "zhang"] + local.options)
        #expect(unknown.status != 0 && unknown.stderr.contains("NOPE-0001"))

        let platform = try await local.start()
        defer { platform.signal(SIGKILL) }
        var kiosk = try await SessionDaemon.start(scratch: kioskScratch, extra: local.syncSection())
        try await kiosk.until("the maintenance bundle installed", seconds: 30) {
            FileManager.default.fileExists(atPath: state + "/bundles/maintenance/current/tickets.json")
        }
        let enter = #"{"technician":"zhang","pin":"\#(Self.pin)","code":"\#(code)"}"#

        // Never over a citizen's session (and that costs no try).
        let citizen = try await kiosk.post("/api/v1/session", json: #"{"bundle":null}"#)
        let citizenToken = try #require(citizen.json["token"] as? String)
        let refused = try await kiosk.post("/api/v1/maintenance/enter", json: enter)
        #expect(refused.status == 409 && refused.text.contains("citizen-session"), "\(refused.text)")
        _ = try await kiosk.post("/api/v1/session/end", token: citizenToken)

        // Both factors: in. Applications close; the attract screen says why.
        let entered = try await kiosk.post("/api/v1/maintenance/enter", json: enter)
        #expect(entered.status == 200, "\(entered.text)")
        let token = try #require(entered.json["token"] as? String)
        #expect(entered.json["technician"] as? String == "zhang" && entered.json["on"] as? Bool == true)
        let offer = try await kiosk.get("/api/v1/offer").json
        #expect(offer["acceptingApplications"] as? Bool == false)
        #expect((offer["notice"] as? String)?.contains("本终端正在维护") == true)
        #expect(try await kiosk.post("/api/v1/session", json: #"{"bundle":"newborn"}"#).status == 503)
        let status = try await Program.run("kioskctl", ["status", "--socket", kioskScratch.file("admin.sock")])
        #expect(status.stdout.contains("maintenance: on (technician zhang, 30 min left)"), "\(status.stdout)")
        #expect(try await Self.leave(kiosk, token: "not-the-token") == 403)
        #expect(try await Self.leave(kiosk, token: token) == 200)
        #expect(try await kiosk.get("/api/v1/offer").json["acceptingApplications"] as? Bool == true)

        // A wrong code and a code for the right ticket but with a wrong PIN count alike.
        let wrongCode = try await kiosk.post(
            "/api/v1/maintenance/enter", json: #"{"technician":"zhang","pin":"\#(Self.pin)","code":"00000000"}"#)
        #expect(wrongCode.status == 401, "\(wrongCode.text)")
        var last = wrongCode
        for _ in 1...4 {
            last = try await kiosk.post("/api/v1/maintenance/enter", json: #"{"technician":"zhang","pin":"000000","code":"\#(code)"}"#)
        }
        #expect(last.status == 423, "\(last.text)")
        let secondsLeft = Int(try #require((last.json["error"] as? [String: Any])?["fields"] as? [String: String])["secondsLeft"] ?? "")
        #expect(secondsLeft.map { $0 > 800 && $0 <= 900 } == true)
        #expect(last.header("Retry-After") != nil)
        #expect(try await kiosk.post("/api/v1/maintenance/enter", json: enter).status == 423, "locked even for the right factors")

        // A restart does not reset the lockout.
        _ = await kiosk.stop()
        kiosk = try await SessionDaemon.start(scratch: kioskScratch, extra: local.syncSection())
        #expect(try await kiosk.post("/api/v1/maintenance/enter", json: enter).status == 423)
        #expect(try await kiosk.get("/api/v1/maintenance").json["lockedUntil"] != nil)
        _ = await kiosk.stop()

        let shown = try await Program.run("kioskctl", ["audit", "show", "--state-dir", state])
        for line in [
            "PIN set for technician zhang", "maintenance login refused: a citizen's session runs", "maintenance login accepted",
            "maintenance entered by zhang", "maintenance left by zhang (by the technician)", "no such ticket", "PIN wrong",
            "lockout after 5 failures", "refused: locked until",
        ] {
            #expect(shown.stdout.contains(line), "no '\(line)' in:\n\(shown.stdout)")
        }
        #expect(!shown.stdout.contains(Self.pin) && !shown.stdout.contains(code), "a PIN or code in the audit trail")
        let verified = try await Program.run("kioskctl", ["audit", "verify", "--state-dir", state])
        #expect(verified.status == 0, "\(verified.stdout)")
    }

    static func leave(_ kiosk: SessionDaemon, token: String) async throws -> Int {
        var request = HTTPClientRequest(url: kiosk.address + "/api/v1/maintenance/leave")
        request.method = .POST
        request.headers.add(name: "X-Maintenance-Token", value: token)
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(string: "{}"))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        _ = try await response.body.collect(upTo: 1 << 16)
        return Int(response.status.code)
    }
}
