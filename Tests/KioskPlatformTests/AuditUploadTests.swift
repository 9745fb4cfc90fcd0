import Foundation
import KioskAudit
import KioskPlatform
import KioskSyncAPI
import OpenAPIRuntime
import Testing

@Suite("The platform checks each kiosk's audit trail on arrival (real HTTP)", .timeLimit(.minutes(2)))
struct AuditUploadTests {
    /// A kiosk's trail of `count` entries, written as kioskd writes it.
    static func trail(_ count: Int) throws -> [AuditEntry] {
        let folder = NSTemporaryDirectory() + "audit-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let trail = AuditTrail(stateDirectory: folder)
        for index in 1...count { try trail.record(.bundleInstalled, actor: "kioskd", detail: "catalog version \(index)") }
        return try trail.entries()
    }

    static func wire(_ entries: [AuditEntry]) -> Components.Schemas.AuditBatch {
        .init(
            entries: entries.map {
                .init(seq: $0.seq, at: $0.at, kind: $0.kind, actor: $0.actor, detail: $0.detail, prev: $0.prev, hash: $0.hash)
            })
    }

    @Test(
        "A chain is held in order and replays answer the same; an altered, a removed and a reordered entry are each refused and flag the kiosk",
        arguments: StorageKind.available)
    func chain(storage: StorageKind) async throws {
        let platform = try await PlatformRig.start(storage)
        let (record, kiosk) = try await platform.kiosk("KIOSK-0001")
        let entries = try Self.trail(6)

        #expect(try await kiosk.submitAudit(body: .json(Self.wire(Array(entries[0..<3])))).ok.body.json.held == 3)
        // A kiosk that lost its cursor (a factory reset) sends from the start: a replay.
        #expect(try await kiosk.submitAudit(body: .json(Self.wire(Array(entries[0..<4])))).ok.body.json.held == 4)
        #expect(try await platform.storage.auditState(kiosk: record.id).problem == nil)

        // Removed: 5 skipped.
        let gap = try await kiosk.submitAudit(body: .json(Self.wire([entries[5]])))
        #expect(try gap.conflict.body.json.error.message.contains("missing"))
        // Reordered: 6 before 5.
        let swapped = try await kiosk.submitAudit(body: .json(Self.wire([entries[5], entries[4]])))
        #expect(try swapped.conflict.body.json.error.message.contains("missing"))
        // Altered: entry 5's detail changed (its hash no longer matches).
        var altered = entries[4]
        altered.detail = "catalog version 99"
        let refused = try await kiosk.submitAudit(body: .json(Self.wire([altered])))
        #expect(try refused.conflict.body.json.error.message.contains("altered"))
        // Rewritten history: entry 2 made again with a valid hash, replayed.
        let forged = AuditEntry(seq: 2, at: entries[1].at, kind: entries[1].kind, actor: "kioskd", detail: "forged", prev: entries[0].hash)
        let rewritten = try await kiosk.submitAudit(body: .json(Self.wire([forged])))
        #expect(try rewritten.conflict.body.json.error.message.contains("rewritten"))

        // Nothing of the refused batches was kept; the kiosk is flagged in the fleet view.
        let state = try await platform.storage.auditState(kiosk: record.id)
        #expect(state.held == 4 && state.problem?.contains("rewritten") == true)
        let fleet = try await FleetEntry.fleet(platform.storage)
        #expect(fleet.first { $0.id == record.id }?.auditProblem != nil)
        // The true continuation is still taken.
        #expect(try await kiosk.submitAudit(body: .json(Self.wire(Array(entries[4...])))).ok.body.json.held == 6)
    }
}
