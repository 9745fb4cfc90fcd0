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
    static var rounds: Int { Int(ProcessInfo.processInfo.environment["KIOSK_CHAOS_ROUNDS"] ?? "") ?? 20 }

    @Test("Every receipt shown reaches the platform exactly once, whatever is killed when", .timeLimit(.minutes(180)))
    func killNine() async throws {
        let kioskScratch = try Scratch()
        let local = try await LocalPlatform(kiosk: "CHAOS-0001", enrolling: kioskScratch)
        var platform = try await local.start()
        let extra = local.syncSection()
        var kiosk = try await SessionDaemon.start(scratch: kioskScratch, extra: extra)
        var shown: [String] = []
        var random = SystemRandomNumberGenerator()
        let started = ContinuousClock.now
        for round in 0..<Self.rounds {
            // A long run says where it is (make chaos runs 200 rounds).
            if round % 10 == 0 {
                print("chaos: round \(round)/\(Self.rounds), \(shown.count) receipts shown, \(ContinuousClock.now - started) elapsed")
            }
            let roundStarted = ContinuousClock.now
            // Citizens submit; one of the two signs a pledge, so a sealed signature follows its case.
            for citizen in 0..<2 {
                do {
                    if let number = try await kiosk.submitNewborn(pledge: citizen == 1) { shown.append(number) }
                } catch {
                    // A citizen may fail while a platform restarts; never silently in a long run.
                    print("chaos: round \(round), citizen \(citizen): \(error)")
                }
            }
            // Kill at a random moment of the relay's work (batch, attachment, change apply).
            try await Task.sleep(for: .milliseconds(Int.random(in: 0...1200, using: &random)))
            if round % 2 == 1 {
                platform.signal(SIGKILL)
                _ = await platform.finish()
                platform = try await local.start()
            } else {
                kiosk.daemon.signal(SIGKILL)
                _ = await kiosk.daemon.finish()
                kiosk = try await SessionDaemon.start(scratch: kioskScratch, extra: extra)
            }
            if ProcessInfo.processInfo.environment["KIOSK_CHAOS_VERBOSE"] != nil {
                print("chaos: round \(round) took \(ContinuousClock.now - roundStarted)")
            }
        }
        // Heal: everything drains.
        let socket = kioskScratch.file("admin.sock")
        try await kiosk.until("the queue drained to the platform", seconds: 120) {
            let status = try? await Program.run("kioskctl", ["sync", "status", "--json", "--socket", socket])
            let json = (try? JSONSerialization.jsonObject(with: Data((status?.stdout ?? "").utf8))) as? [String: Any]
            return json?["queueDepth"] as? Int == 0 && json?["unsentAttachments"] as? Int == 0
        }
        let cases = try await local.cases()
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
}
