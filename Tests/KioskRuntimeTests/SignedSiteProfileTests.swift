import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// A site profile the platform signs reaches its kiosk through the changes feed, is checked
/// there against kiosk.yaml, and is used from kioskd's next start (real processes).
@Suite("Signed site profiles from the platform (real kioskd and kiosk-platform)", .serialized)
struct SignedSiteProfileTests {
    static let profile = """
        kiosk:
          site: 城关镇便民服务中心 3 号机
          location: 城关镇人民路 8 号二楼
        opening_hours:
          daily: 00:00-24:00
        session:
          idle_timeout_seconds: 75
        devices:
          - {id: idcard, kind: idcard, simulate: true}
          - {id: touch, kind: touch, simulate: true}

        """

    @Test(
        "Published for this kiosk: installed, audited, in use after a restart; one that does not load here is refused with why",
        .timeLimit(.minutes(3)))
    func publishedProfile() async throws {
        let scratch = try Scratch()
        let local = try await LocalPlatform(kiosk: "SITE-0001", enrolling: scratch)
        let platform = try await local.start()
        defer { platform.signal(SIGKILL) }
        let config = try ProvisioningTests.configuration(in: scratch, extra: local.syncSection())
        let socket = scratch.file("admin.sock")
        var kiosk = try await Self.start(config, scratch: scratch)

        let file = try scratch.write("site.yaml", Self.profile)
        let published = try await Program.run("kiosk-platform", ["site", "publish", file, "--kiosk", "SITE-0001"] + local.options)
        #expect(published.status == 0, "\(published.stderr)")
        #expect(published.stdout.contains("configuration version 1"))
        let unknown = try await Program.run("kiosk-platform", ["site", "publish", file, "--kiosk", "NO-SUCH"] + local.options)
        #expect(unknown.status != 0 && unknown.stderr.contains("NO-SUCH"), "\(unknown.stderr)")

        // Installed at the next sync: not in use until kioskd restarts, and the doctor says so.
        try await Self.until("the signed profile installed") {
            ((try? await Self.doctor(socket: socket))?["detail"] as? String)?.contains("installed but not in use yet") == true
        }
        kiosk.signal(SIGTERM)
        _ = await kiosk.finish()
        kiosk = try await Self.start(config, scratch: scratch)
        let inUse = try await Self.doctor(socket: socket)
        #expect(inUse?["result"] as? String == "OK" && (inUse?["detail"] as? String)?.contains("version 1 is in use") == true)
        let status = try await Program.run("kioskctl", ["status", "--json", "--socket", socket])
        let site = ((try JSONSerialization.jsonObject(with: Data(status.stdout.utf8))) as? [String: Any])?["site"] as? [String: Any]
        #expect(site?["name"] as? String == "城关镇便民服务中心 3 号机" && site?["location"] as? String == "城关镇人民路 8 号二楼", "\(status.stdout)")

        // A profile naming a device kind this kiosk cannot have: installed (it is genuine), but
        // refused here with the reason; version 1 stays in use.
        let broken = try scratch.write("broken.yaml", Self.profile.replacingOccurrences(of: "kind: touch", with: "kind: fax"))
        #expect(try await Program.run("kiosk-platform", ["site", "publish", broken, "--kiosk", "SITE-0001"] + local.options).status == 0)
        try await Self.until("the broken profile refused") {
            ((try? await Self.doctor(socket: socket))?["detail"] as? String)?.contains("version 2 does not load here") == true
        }
        let trail = try await Program.run("kioskctl", ["audit", "show", "--state-dir", scratch.file("state")])
        #expect(trail.stdout.contains("signed site profile version 1 installed"))
        #expect(trail.stdout.contains("signed site profile version 2 does not load here"))
        kiosk.signal(SIGTERM)
        #expect(await kiosk.finish().status == 0)
    }

    static func start(_ config: String, scratch: Scratch) async throws -> Program {
        try? FileManager.default.removeItem(atPath: scratch.file("notify.sock"))
        let notify = try NotifyListener(path: scratch.file("notify.sock"))
        let daemon = try Program("kioskd", ["--config", config], environment: ["NOTIFY_SOCKET": notify.address])
        #expect(await notify.waitFor("READY=1", timeout: .seconds(30)) != nil)
        return daemon
    }

    static func doctor(socket: String) async throws -> [String: Any]? {
        let run = try await Program.run("kioskctl", ["doctor", "--json", "--socket", socket])
        let json = (try JSONSerialization.jsonObject(with: Data(run.stdout.utf8))) as? [String: Any]
        return (json?["checks"] as? [[String: Any]])?.first { $0["area"] as? String == "config" && $0["name"] as? String == "site profile" }
    }

    static func until(_ what: String, seconds: Double = 30, _ condition: () async -> Bool) async throws {
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        while ContinuousClock.now < deadline {
            if await condition() { return }
            try await Task.sleep(for: .milliseconds(200))
        }
        if await condition() { return }
        throw SessionDaemon.WaitFailure(description: "\(what): not within \(seconds) s")
    }
}
