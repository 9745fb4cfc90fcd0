import Foundation
import GRDB
import KioskAPI
import Logging
import Testing

@testable import KioskStore

/// A fresh folder per test, removed afterwards.
struct TemporaryFolder: ~Copyable {
    let path: String
    init() throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("kiosk-store-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }
    func file(_ name: String) -> String { (path as NSString).appendingPathComponent(name) }
    deinit { try? FileManager.default.removeItem(atPath: path) }
}

func sampleCase(_ number: Int) -> NewCase {
    NewCase(
        id: String(format: "0193a7c2-0000-7000-8000-%012d", number), receiptNumber: String(format: "R2026112300%04d", number),
        bundleID: "newborn", outboxPayload: Data("{\"case\":\(number)}".utf8), detail: Data(repeating: UInt8(number % 251), count: 2048))
}

@Suite("Case store on real SQLite files")
struct CaseStoreTests {
    let logger = Logger(label: "test")

    @Test("An empty database is created with every migration and durable settings")
    func migrationsFromEmpty() async throws {
        let folder = try TemporaryFolder()
        let store = try CaseStore(path: folder.file("kiosk.db"), logger: logger)
        let database = try await store.database()
        #expect(
            try database.appliedMigrations() == [
                "v1: cases, events, outbox, device counters", "v2: print jobs", "v3: citizen lookup key and case detail",
                "v4: sync: attachments, acknowledgements, platform stages", "v5: sealed to the platform, purged after retention",
                "v6: results collected at the kiosk", "v7: result prints under way",
            ])
        let pragmas = try await database.writer.read { db in
            (
                try String.fetchOne(db, sql: "PRAGMA journal_mode"), try Int.fetchOne(db, sql: "PRAGMA synchronous"),
                try Int.fetchOne(db, sql: "PRAGMA foreign_keys"), try Int.fetchOne(db, sql: "PRAGMA secure_delete")
            )
        }
        #expect(pragmas.0 == "wal")
        #expect(pragmas.1 == 2)  // FULL
        #expect(pragmas.2 == 1)
        #expect(pragmas.3 == 1, "deleted personal data is overwritten, not left in free pages")
        let mode = try FileManager.default.attributesOfItem(atPath: folder.file("kiosk.db"))[.posixPermissions] as? Int
        #expect(mode == 0o600)
    }

    @Test("A case, its event and its outbox row are committed together and survive reopening")
    func insertAndReopen() async throws {
        let folder = try TemporaryFolder()
        do {
            let store = try CaseStore(path: folder.file("kiosk.db"), logger: logger)
            try await store.insert(sampleCase(1))
            try await store.insert(sampleCase(2))
            await #expect(throws: StoreError.self) { try await store.insert(sampleCase(1)) }
        }
        let reopened = try CaseStore(path: folder.file("kiosk.db"), logger: logger)
        #expect(try await reopened.caseExists(receiptNumber: sampleCase(2).receiptNumber))
        let summary = await reopened.summary()
        #expect(summary.cases == 2)
        #expect(summary.syncQueueDepth == 2)
        #expect(summary.oldestUnsentAt != nil)
    }

    @Test("A file that is not a database is quarantined, never deleted, and cases are refused")
    func garbageIsQuarantined() async throws {
        let folder = try TemporaryFolder()
        let path = folder.file("kiosk.db")
        let garbage = Data((0..<8192).map { UInt8(truncatingIfNeeded: $0 &* 31) })
        try garbage.write(to: URL(fileURLWithPath: path))
        let store = try CaseStore(path: path, logger: logger)
        guard case let .quarantined(record) = await store.condition else {
            Issue.record("a garbage file was opened as a database")
            return
        }
        #expect(await !store.acceptsCases)
        #expect(FileManager.default.contents(atPath: record.movedTo) == garbage)
        #expect(!FileManager.default.fileExists(atPath: path))
        await #expect(throws: StoreError.self) { try await store.insert(sampleCase(1)) }

        // A restart does not forget the quarantine: the technician must still decide.
        let restarted = try CaseStore(path: path, logger: logger)
        #expect(await !restarted.acceptsCases)
        let decision = try await restarted.reset()
        #expect(decision.action == "reset")
        #expect(await restarted.acceptsCases)
        try await restarted.insert(sampleCase(1))
        #expect(FileManager.default.contents(atPath: record.movedTo) == garbage)
    }

    @Test("Recovery keeps every row on undamaged pages of a database with a damaged page")
    func recoverDamagedDatabase() async throws {
        let folder = try TemporaryFolder()
        let path = folder.file("kiosk.db")
        do {
            let store = try CaseStore(path: path, logger: logger)
            for number in 1...200 { try await store.insert(sampleCase(number)) }
            // Receipts queued for a printer that was offline (they must come back too).
            for number in 1...20 {
                try await store.insertPrintJob(
                    StoredPrintJob(
                        id: "job-\(number)", caseNumber: sampleCase(number).receiptNumber, state: "queued", createdAt: Date(),
                        updatedAt: Date(), job: Data("{\"receipt\":\(number)}".utf8)))
            }
            // Fold the WAL into the main file so the damage below hits committed pages.
            try await store.database().writer.writeWithoutTransaction { db in
                try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)")
            }
        }
        // Overwrite the page holding case 100 (its detail is 2048 bytes of 100).
        var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        let marker = Data(repeating: 100, count: 2048)
        let found = try #require(bytes.range(of: marker))
        let page = (found.lowerBound - bytes.startIndex) / 4096 * 4096
        bytes.replaceSubrange(page..<(page + 4096), with: Data(repeating: 0xA5, count: 4096))
        try bytes.write(to: URL(fileURLWithPath: path))

        let store = try CaseStore(path: path, logger: logger)
        #expect(await !store.acceptsCases)
        let decision = try await store.recover()
        let recovered = decision.recoveredRows["kiosk_case"] ?? 0
        #expect((150..<200).contains(recovered), "\(decision)")
        #expect(try await !store.caseExists(receiptNumber: sampleCase(100).receiptNumber))
        #expect(try await store.caseExists(receiptNumber: sampleCase(1).receiptNumber))
        #expect(try await store.caseExists(receiptNumber: sampleCase(200).receiptNumber))
        #expect(await store.acceptsCases)
        let summary = await store.summary()
        #expect(summary.cases == recovered, "\(decision)")
        #expect(decision.recoveredRows["print_job"] == 20, "\(decision)")
        #expect(try await store.unfinishedPrintJobs().count == 20)
        try await store.quickCheck()
    }

    @Test("Recovery keeps what was only in the WAL at the crash: receipts queued just before it")
    func recoverFromWAL() async throws {
        let folder = try TemporaryFolder()
        let live = folder.file("live.db")
        let path = folder.file("kiosk.db")
        let store = try CaseStore(path: live, logger: logger)
        for number in 1...200 { try await store.insert(sampleCase(number)) }
        try await store.database().writer.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)") }
        // Queued after the last checkpoint: these rows live in the WAL only.
        for number in 1...20 {
            try await store.insertPrintJob(
                StoredPrintJob(
                    id: "job-\(number)", caseNumber: sampleCase(number).receiptNumber, state: "queued", createdAt: Date(),
                    updatedAt: Date(),
                    job: Data("{\"receipt\":\(number)}".utf8)))
        }
        // The files as a power cut leaves them (the store still open: its WAL not folded in).
        try FileManager.default.copyItem(atPath: live, toPath: path)
        try FileManager.default.copyItem(atPath: live + "-wal", toPath: path + "-wal")
        var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        let found = try #require(bytes.range(of: Data(repeating: 100, count: 2048)))
        let page = (found.lowerBound - bytes.startIndex) / 4096 * 4096
        bytes.replaceSubrange(page..<(page + 4096), with: Data(repeating: 0xA5, count: 4096))
        try bytes.write(to: URL(fileURLWithPath: path))

        let damaged = try CaseStore(path: path, logger: logger)
        #expect(await !damaged.acceptsCases)
        let decision = try await damaged.recover()
        #expect(decision.recoveredRows["print_job"] == 20, "\(decision)")
        #expect(try await damaged.unfinishedPrintJobs().count == 20)
    }

    @Test("Device counters add up across reopenings")
    func deviceCounters() async throws {
        let folder = try TemporaryFolder()
        do {
            let store = try CaseStore(path: folder.file("kiosk.db"), logger: logger)
            _ = try await store.incrementDeviceCounter(device: "printer", counter: "pages_printed", by: 3)
            _ = try await store.incrementDeviceCounter(device: "printer", counter: "pages_printed", by: 2)
        }
        let store = try CaseStore(path: folder.file("kiosk.db"), logger: logger)
        #expect(try await store.deviceCounters(device: "printer") == ["pages_printed": 5])
    }

    @Test("The wall clock only moves forward in the record, so a clock set back is noticed")
    func wallClock() async throws {
        let folder = try TemporaryFolder()
        let store = try CaseStore(path: folder.file("kiosk.db"), logger: logger)
        let later = Date(timeIntervalSince1970: 1_800_000_000)
        try await store.recordWallClock(later)
        try await store.recordWallClock(Date(timeIntervalSince1970: 1_700_000_000))
        #expect(await store.lastWallClock() == later)
    }

    @Test("A newer catalogue announced by the platform is staged with when it was first announced, on the kiosk's clock")
    func stagedCatalogue() async throws {
        let folder = try TemporaryFolder()
        let store = try CaseStore(path: folder.file("kiosk.db"), logger: logger)
        let platformTime = Date(timeIntervalSince1970: 1_800_000_000)
        // The kiosk's clock runs an hour ahead of the platform's.
        try await store.recordSyncSuccess(at: platformTime.addingTimeInterval(3600), serverTime: platformTime)
        let zone = TimeZone(identifier: "Asia/Shanghai")!
        #expect(try await store.syncFigures().catalogSupersededAt == nil)
        _ = try await store.apply(
            [PlatformChange(cursor: 1, kind: .catalogVersion, at: platformTime, version: "2026.12")], after: 0, timeZone: zone)
        var figures = try await store.syncFigures()
        #expect(figures.staged["catalog-version"] == "2026.12")
        #expect(figures.catalogSupersededAt == platformTime.addingTimeInterval(3600))
        // The same version announced again does not make the old catalogue younger; a newer one
        // keeps the first date too (the kiosk is behind since then).
        _ = try await store.apply(
            [
                PlatformChange(cursor: 2, kind: .catalogVersion, at: platformTime.addingTimeInterval(86_400), version: "2026.12"),
                PlatformChange(cursor: 3, kind: .calendarVersion, at: platformTime.addingTimeInterval(86_400), version: "2027"),
                PlatformChange(cursor: 4, kind: .catalogVersion, at: platformTime.addingTimeInterval(2 * 86_400), version: "2027.01"),
            ], after: 1, timeZone: zone)
        figures = try await store.syncFigures()
        #expect(figures.staged["catalog-version"] == "2027.01")
        #expect(figures.catalogSupersededAt == platformTime.addingTimeInterval(3600))
        #expect(figures.staged["calendar-version"] == "2027")
    }
}
