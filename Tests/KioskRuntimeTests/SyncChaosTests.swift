import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// kioskd and kiosk-platform as processes, killed with SIGKILL at random moments while citizens
/// submit and the relay sends: every receipt number ever shown to a citizen must end up at the
/// platform exactly once. `make test` runs a bounded sample; `make chaos` sets
/// KIOSK_CHAOS_ROUNDS for the full count.
@Suite("Sync survives kill -9 of kioskd and kiosk-platform at random points (real processes)", .serialized)
struct SyncChaosTests {
    static var rounds: Int { Int(ProcessInfo.processInfo.environment["KIOSK_CHAOS_ROUNDS"] ?? "") ?? 2 }

    @Test("Every receipt shown reaches the platform exactly once, whatever is killed when", .timeLimit(.minutes(180)))
    func killNine() async throws {
        let platformScratch = try Scratch()
        let database = platformScratch.file("platform.db")
        let options = [
            "--database", database, "--catalog", repositoryRoot + "/Provisioning/catalog", "--calendar",
            repositoryRoot + "/Provisioning/calendar",
        ]
        let added = try await Program.run("kiosk-platform", ["kiosk", "add", "CHAOS-0001", "--json"] + options)
        #expect(added.status == 0, "\(added.stderr)")
        let credential = try #require(
            (try JSONSerialization.jsonObject(with: Data(added.stdout.utf8)) as? [String: Any])?["credential"] as? String)
        let credentialFile = try platformScratch.write("kiosk.credential", credential)
        chmod(credentialFile, 0o600)
        let port = try freePort()
        var platform = try await startPlatform(port: port, options: options)

        let kioskScratch = try Scratch()
        let extra = """
            sync:
              platform: http://127.0.0.1:\(port)/
              credential_file: \(credentialFile)
              interval_seconds: 1
              heartbeat_seconds: 5
              batch_size: 3
            """
        var kiosk = try await SessionDaemon.start(scratch: kioskScratch, extra: extra)
        var shown: [String] = []
        var random = SystemRandomNumberGenerator()
        for round in 0..<Self.rounds {
            // Citizens submit; one of the two signs a pledge, so a sealed signature follows its case.
            for citizen in 0..<2 {
                if let number = try? await submitNewborn(kiosk, pledge: citizen == 1) { shown.append(number) }
            }
            // Kill at a random moment of the relay's work (batch, attachment, change apply).
            try await Task.sleep(for: .milliseconds(Int.random(in: 0...1200, using: &random)))
            if round % 2 == 1 {
                platform.signal(SIGKILL)
                _ = await platform.finish()
                platform = try await startPlatform(port: port, options: options)
            } else {
                kiosk.daemon.signal(SIGKILL)
                _ = await kiosk.daemon.finish()
                kiosk = try await SessionDaemon.start(scratch: kioskScratch, extra: extra)
            }
        }
        // Heal: everything drains.
        let socket = kioskScratch.file("admin.sock")
        try await kiosk.until("the queue drained to the platform", seconds: 120) {
            let status = try? await Program.run("kioskctl", ["sync", "status", "--json", "--socket", socket])
            let json = (try? JSONSerialization.jsonObject(with: Data((status?.stdout ?? "").utf8))) as? [String: Any]
            return json?["queueDepth"] as? Int == 0 && json?["unsentAttachments"] as? Int == 0
        }
        let listed = try await Program.run("kiosk-platform", ["cases", "--json"] + options)
        let cases = (try JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) as? [[String: Any]]) ?? []
        let receipts = cases.compactMap { $0["receiptNumber"] as? String }
        #expect(!shown.isEmpty)
        #expect(receipts.count == Set(receipts).count, "a case arrived twice")
        #expect(Set(shown).isSubset(of: Set(receipts)), "receipts shown but never delivered: \(Set(shown).subtracting(receipts))")
        #expect(cases.allSatisfy { ($0["missingAttachments"] as? [String])?.isEmpty ?? true })
        // A case committed as the kill came, whose receipt never showed, may arrive too; no other.
        #expect(receipts.count <= shown.count + Self.rounds)
        _ = await kiosk.stop()
        platform.signal(SIGTERM)
        _ = await platform.finish()
    }

    private func startPlatform(port: Int, options: [String]) async throws -> Program {
        let program = try Program(
            "kiosk-platform", ["serve", "--host", "127.0.0.1", "--port", String(port), "--workbench-port", "0"] + options)
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            var probe = HTTPClientRequest(url: "http://127.0.0.1:\(port)/openapi.yaml")
            probe.method = .GET
            if let answer = try? await HTTPClient.shared.execute(probe, timeout: .seconds(2)), answer.status == .ok { return program }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw SessionDaemon.WaitFailure(description: "kiosk-platform did not listen on \(port) within 30 s")
    }

    /// One citizen's 新生儿出生 to the receipt; the receipt number shown.
    private func submitNewborn(_ kiosk: SessionDaemon, pledge: Bool) async throws -> String? {
        let token = try await kiosk.newbornAtForm()
        let values =
            #"{"values":{"newborn.name":"林小雨","delivery.method":"窗口领取","newborn.guardian_relation":"父亲","household.head_relation":"女"}}"#
        _ = try await kiosk.post("/api/v1/session/form", token: token, json: values)
        _ = try await kiosk.post("/api/v1/session/form/confirm", token: token)
        for material in ["photo", "bank_card", "delivery_invoice"] {
            let choice = pledge && material == "photo" ? "deferred" : "provided"
            _ = try await kiosk.post("/api/v1/session/material", token: token, json: #"{"material":"\#(material)","choice":"\#(choice)"}"#)
        }
        if pledge {
            _ = try await kiosk.post("/api/v1/session/sign", token: token, json: #"{"png":"\#(Self.signature)"}"#)
        }
        _ = try await kiosk.post("/api/v1/session/materials/confirm", token: token)
        let submitted = try await kiosk.post("/api/v1/session/submit", token: token)
        let number = (submitted.json["receipt"] as? [String: Any])?["number"] as? String
        _ = try? await kiosk.post("/api/v1/session/end", token: token)
        return number
    }

    /// A small valid PNG (a 1×1 black pixel).
    static let signature = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAAAAAA6fptVAAAACklEQVR4nGNgAAAAAgABSK+kcQAAAABJRU5ErkJggg=="

    private func freePort() throws -> Int {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) } }
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
