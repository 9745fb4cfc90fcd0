import Foundation
import GRDB
import Logging
import Testing

@testable import KioskStore

@Suite("Retention: sealed data erased after the platform's acknowledgement and the retention period")
struct RetentionTests {
    let logger = Logger(label: "test")
    /// Stands for a sealed box: recognisable bytes to look for on disk.
    let marker = Data("SEALED-BOX-0123456789-abcdefghij-SEALED-BOX".utf8)

    func sealedCase(_ number: Int) -> NewCase {
        var newCase = sampleCase(number)
        newCase.outboxPayload = Data("{\"case\":\(number),\"sealed\":\"".utf8) + marker + Data("\"}".utf8)
        newCase.attachments = [NewAttachment(id: "signature", kind: "signature", bytes: marker + Data(repeating: 7, count: 100_000))]
        return newCase
    }

    /// Every byte kioskd's store has on disk: the database, its WAL and shared memory.
    func diskBytes(_ folder: borrowing TemporaryFolder) -> Data {
        ["kiosk.db", "kiosk.db-wal", "kiosk.db-shm"].reduce(into: Data()) { all, name in
            all.append(FileManager.default.contents(atPath: folder.file(name)) ?? Data())
        }
    }

    @Test("A purge erases payload and attachments from the file, its free pages and the WAL; what progress needs stays")
    func purge() async throws {
        let folder = try TemporaryFolder()
        let store = try CaseStore(path: folder.file("kiosk.db"), logger: logger)
        let first = sealedCase(1)
        let second = sealedCase(2)
        try await store.insert(first)
        try await store.insert(second)
        let submitted = Date()
        #expect(try await store.personalDataHeld().cases == 2)
        #expect(diskBytes(folder).range(of: marker) != nil, "the sealed boxes are on disk before the purge")

        // Acknowledged, attachments verified: the first case only.
        try await store.acknowledge([CaseAcknowledgement(caseID: first.id, platformReceipt: "P-1", missingAttachments: [])], at: submitted)
        // Within the retention period: nothing goes.
        #expect(try await store.purgeSealed(acknowledgedBefore: submitted.addingTimeInterval(-86_400), at: Date()) == 0)
        // Past it: the acknowledged case goes; the unacknowledged one stays, whatever its age.
        #expect(try await store.purgeSealed(acknowledgedBefore: submitted.addingTimeInterval(1), at: Date()) == 1)
        let held = try await store.personalDataHeld()
        #expect(held.cases == 1)
        #expect(try await store.pendingCases(limit: 10).map(\.caseID) == [second.id], "the unsent case is still sent")

        // The second case: acknowledged, but its attachment not yet verified: it stays.
        try await store.acknowledge(
            [CaseAcknowledgement(caseID: second.id, platformReceipt: "P-2", missingAttachments: ["signature"])], at: submitted)
        #expect(try await store.purgeSealed(acknowledgedBefore: Date().addingTimeInterval(1), at: Date()) == 0)
        try await store.markAttachmentVerified(caseID: second.id, attachmentID: "signature", at: Date())
        #expect(try await store.purgeSealed(acknowledgedBefore: Date().addingTimeInterval(1), at: Date()) == 1)
        #expect(try await store.personalDataHeld() == PersonalDataHeld(cases: 0, bytes: 0, oldestAt: nil))

        // Nothing of the boxes anywhere on disk, WAL included, while the store is still open.
        #expect(diskBytes(folder).range(of: marker) == nil, "a sealed box survived the purge on disk")
        let wal = (try? FileManager.default.attributesOfItem(atPath: folder.file("kiosk.db-wal"))[.size] as? Int) ?? 0
        #expect(wal == 0, "the WAL is truncated after a purge")
        // Progress still finds the cases by their number.
        #expect(try await store.caseExists(receiptNumber: first.receiptNumber))
        #expect(try await store.caseExists(receiptNumber: second.receiptNumber))
    }
}
