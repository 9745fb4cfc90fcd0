import Foundation
import GRDB
import KioskAPI
import Logging
import Testing

@testable import KioskStore

/// 统一出件 in the kiosk's store: a printed result recorded with its report in one transaction,
/// reported once the platform holds the case, and counted for the next visit.
@Suite("Results printed at the kiosk, in the store")
struct DeliveryStoreTests {
    @Test("The first print is the delivery, later ones reprints; each report waits for its case and is acknowledged once")
    func deliveries() async throws {
        let folder = try TemporaryFolder()
        let store = try CaseStore(path: folder.file("kiosk.db"), logger: Logger(label: "test"))
        var newCase = sampleCase(1)
        newCase.resultCollection = "kiosk"
        try await store.insert(newCase)
        let at = Date(timeIntervalSince1970: 1_790_000_000)
        let first = try await store.recordDelivery(caseID: newCase.id, item: "birth_certificate", at: at, resultSHA256: nil)
        let again = try await store.recordDelivery(caseID: newCase.id, item: "birth_certificate", at: at, resultSHA256: nil)
        #expect(!first.reprint && again.reprint && first.deliveryID != again.deliveryID)
        #expect(try await store.deliveryCounts(caseIDs: [newCase.id]) == [newCase.id: ["birth_certificate": 2]])
        // Not before the platform holds the case: a delivery of an unknown case would be refused.
        #expect(try await store.pendingDeliveries(limit: 10).isEmpty)
        try await store.acknowledge([CaseAcknowledgement(caseID: newCase.id, platformReceipt: "P-1", missingAttachments: [])], at: at)
        let pending = try await store.pendingDeliveries(limit: 10)
        #expect(pending.count == 2)
        // `kioskctl sync status` counts them until the platform acknowledges them.
        #expect(try await store.syncFigures().unsentDeliveries == 2)
        let sent = try pending.map { try KioskJSON.decoder().decode(DeliveryMessage.self, from: $0.payload) }
        #expect(sent.map(\.reprint) == [false, true])
        for report in pending { try await store.acknowledgeDelivery(seq: report.seq, at: at) }
        #expect(try await store.pendingDeliveries(limit: 10).isEmpty)
        #expect(try await store.syncFigures().unsentDeliveries == 0)
        // The collection choice stays readable on the case (not personal).
        let caseID = newCase.id
        let collection = try await store.database().writer.read { db in
            try String.fetchOne(db, sql: "SELECT result_collection FROM kiosk_case WHERE id = ?", arguments: [caseID])
        }
        #expect(collection == "kiosk")
    }
}
