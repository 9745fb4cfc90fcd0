import Foundation
import KioskStore

/// What the session needs of the kiosk's database: the durable commit of a case, the
/// citizen's own earlier cases, ratings and the receipt's print job. `CaseStore` is the real
/// one; the protocol keeps the session testable in process and its needs written down.
public protocol SessionStore: Sendable {
    /// Numbers and commits a case, its first event and its outbox row in one transaction.
    func insertNumbered(dayTag: String, _ make: @Sendable (Int) throws -> NewCase) async throws(StoreError) -> NewCase
    /// The cases found by the citizen's keyed ID-number hash, newest first.
    func cases(citizenKey: String, limit: Int) async throws(StoreError) -> [StoredCase]
    /// Each item of these cases as the platform last reported it.
    func platformStatuses(caseIDs: [String]) async throws(StoreError) -> [String: [String: PlatformItemStatus]]
    /// Stores a 好差评 rating of a case.
    func recordRating(caseID: String, level: Int, at: Date) async throws(StoreError)
    /// The print job of the case's latest receipt, for a reprint.
    func latestPrintJobID(caseNumber: String) async throws(StoreError) -> String?
    /// Records a result printed here (统一出件) and queues its report, in one transaction; the
    /// job that printed it (`job`) is no longer under way.
    @discardableResult
    func recordDelivery(
        caseID: String, item: String, at: Date, resultSHA256: String?, job: Int?
    ) async throws(StoreError)
        -> DeliveryMessage
    /// Remembers a result's print job until it ends, across a restart.
    func beginResultPrint(job: Int, caseID: String, item: String, resultSHA256: String?, at: Date) async throws(StoreError)
    /// Forgets a result's print job that ended without printing.
    func endResultPrint(job: Int) async throws(StoreError)
    /// Result print jobs that had not ended when kioskd last stopped.
    func unfinishedResultPrints() async throws(StoreError) -> [UnfinishedResultPrint]
    /// How many times each item of these cases was printed here.
    func deliveryCounts(caseIDs: [String]) async throws(StoreError) -> [String: [String: Int]]
}

extension CaseStore: SessionStore {}
