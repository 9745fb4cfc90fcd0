import Foundation
import KioskAudit
import Testing

@Suite("The audit trail: append-only, hash-chained, every tampering found and named")
struct AuditTrailTests {
    func trail(entries count: Int) throws -> (AuditTrail, String) {
        let folder = NSTemporaryDirectory() + "audit-\(UUID().uuidString)"
        let trail = AuditTrail(stateDirectory: folder)
        for index in 1...count {
            try trail.record(.bundleInstalled, actor: "kioskd", detail: "catalog version \(index)")
        }
        return (trail, folder)
    }

    func lines(_ trail: AuditTrail) throws -> [String] {
        try String(contentsOf: trail.file, encoding: .utf8).split(separator: "\n").map(String.init)
    }

    func write(_ lines: [String], to trail: AuditTrail) throws {
        try (lines.joined(separator: "\n") + "\n").write(to: trail.file, atomically: true, encoding: .utf8)
    }

    @Test("Entries chain from the genesis; the file is private")
    func chain() throws {
        let (trail, folder) = try trail(entries: 5)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let entries = try trail.entries()
        #expect(entries.map(\.seq) == [1, 2, 3, 4, 5])
        #expect(entries.first?.prev == AuditEntry.genesis)
        #expect(zip(entries, entries.dropFirst()).allSatisfy { $1.prev == $0.hash })
        #expect(AuditTrail.verify(entries).isEmpty)
        let mode = try FileManager.default.attributesOfItem(atPath: trail.file.path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
    }

    @Test("An altered entry is found at its line; altered with its hash made again, at the next line")
    func altered() throws {
        let (trail, folder) = try trail(entries: 5)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var content = try lines(trail)
        content[2] = content[2].replacingOccurrences(of: "catalog version 3", with: "catalog version 9")
        try write(content, to: trail)
        let findings = AuditTrail.verify(try trail.entries())
        #expect(findings.map(\.kind) == [.altered] && findings.first?.line == 3, "\(findings)")

        // The forger recomputes the hash: the next entry no longer chains to it.
        var entries = try trail.entries()
        entries[2] = AuditEntry(seq: 3, at: entries[2].at, kind: entries[2].kind, actor: "kioskd", detail: "forged", prev: entries[1].hash)
        let rechained = AuditTrail.verify(entries)
        #expect(rechained.map(\.line) == [4] && rechained.first?.kind == .altered, "\(rechained)")
    }

    @Test("A removed entry and a reordered pair are each found and named")
    func removedAndReordered() throws {
        let (trail, folder) = try trail(entries: 5)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let original = try lines(trail)
        try write(original.enumerated().filter { $0.offset != 1 }.map(\.element), to: trail)
        let removed = AuditTrail.verify(try trail.entries())
        #expect(removed.map(\.kind) == [.removed] && removed.first?.seq == 3, "\(removed)")

        var swapped = original
        swapped.swapAt(1, 2)
        try write(swapped, to: trail)
        let reordered = AuditTrail.verify(try trail.entries())
        #expect(!reordered.isEmpty && reordered.allSatisfy { $0.kind == .reordered || $0.kind == .altered }, "\(reordered)")
        #expect(reordered.first?.kind == .reordered && reordered.first?.line == 2, "\(reordered)")
    }

    @Test("Two writers at once never fork the chain")
    func concurrentWriters() async throws {
        let folder = NSTemporaryDirectory() + "audit-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: folder) }
        await withTaskGroup(of: Void.self) { group in
            for writer in 0..<2 {
                group.addTask {
                    // Each writer its own value, as kioskd and kioskctl are two processes.
                    let trail = AuditTrail(stateDirectory: folder)
                    for index in 0..<40 { _ = try? trail.record(.purge, actor: "writer \(writer)", detail: "\(index)") }
                }
            }
        }
        let entries = try AuditTrail(stateDirectory: folder).entries()
        #expect(entries.count == 80)
        #expect(AuditTrail.verify(entries).isEmpty)
    }

    @Test("A configuration is recorded when first seen and when changed, not at every start")
    func recordIfChanged() throws {
        let (trail, folder) = try trail(entries: 1)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        #expect(try trail.recordIfChanged(.configuration, subject: "/etc/kiosk/kiosk.yaml", digest: "aa", actor: "kioskd"))
        #expect(try !trail.recordIfChanged(.configuration, subject: "/etc/kiosk/kiosk.yaml", digest: "aa", actor: "kioskd"))
        #expect(try trail.recordIfChanged(.configuration, subject: "/etc/kiosk/kiosk.yaml", digest: "bb", actor: "kioskd"))
        #expect(try trail.entries().last?.detail == "/etc/kiosk/kiosk.yaml changed, sha256 bb")
    }
}
