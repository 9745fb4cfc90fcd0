import Foundation
import KioskCore
import KioskSyncAPI
import Logging

extension SyncService {
    /// 统一出件: a kiosk printed an item's result for its citizen (or again, 补打). Idempotent per
    /// delivery id; the first delivery moves the item to 送达 and the kiosk hears it in its feed.
    public func reportDelivery(_ input: Operations.ReportDelivery.Input) async throws -> Operations.ReportDelivery.Output {
        let kiosk = try kiosk
        guard case let .json(report) = input.body else { return .badRequest(.init(body: .json(Self.problem("bad-request", "JSON only")))) }
        guard Self.isIdentifier(report.deliveryID), Self.isIdentifier(report.caseID), Self.isIdentifier(report.item),
            report.resultSHA256.map(Self.isSHA256) ?? true
        else {
            return .badRequest(
                .init(
                    body: .json(Self.problem("bad-request", "deliveryID, caseID and item are 1–64 of A–Z a–z 0–9 . _ -; a SHA-256 is hex")))
            )
        }
        let at = now()
        let delivery = DeliveryRecord(
            deliveryID: report.deliveryID, kioskID: kiosk.id, caseID: report.caseID, item: report.item, at: report.at,
            reprint: report.reprint, resultSHA256: report.resultSHA256)
        // A Result rather than a typed catch-and-rethrow (which crashed the compiler once).
        let outcome: Result<ItemState, PlatformError>
        do {
            outcome = .success(
                try await storage.recordDelivery(delivery, kioskName: kiosk.name, recordedAt: at, day: CivilDate(at, in: timeZone)))
        } catch {
            outcome = .failure(error)
        }
        switch outcome {
        case let .success(stage):
            logger.info(
                "Result delivered at a kiosk",
                metadata: ["kiosk": "\(kiosk.name)", "case": "\(report.caseID)", "item": "\(report.item)", "reprint": "\(report.reprint)"])
            return .ok(
                .init(
                    body: .json(.init(deliveryID: report.deliveryID, status: .stored, stage: .init(rawValue: stage.rawValue) ?? .delivered))
                ))
        case let .failure(error) where error.code == .unknownCase || error.code == .unknownItem:
            return .notFound(.init(body: .json(Self.problem(error.code.description, error.message))))
        case let .failure(error) where error.code == .conflict:
            return .conflict(.init(body: .json(Self.problem("conflict", error.message))))
        case let .failure(error):
            throw error
        }
    }
}
