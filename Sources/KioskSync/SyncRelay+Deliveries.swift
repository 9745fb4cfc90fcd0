import Foundation
import KioskAPI
import KioskStore
import KioskSyncAPI

extension SyncRelay {
    /// Results printed here (统一出件), each reported once: the outbox row is marked only on the
    /// platform's `stored`, and a replay after a lost answer is answered the same (the platform
    /// is idempotent per delivery id). Sent only for cases the platform already holds.
    func sendDeliveries(_ report: inout SyncReport) async throws(SyncFailure) {
        let pending = try await storeCall { try await self.store.pendingDeliveries(limit: 100) }
        for delivery in pending {
            guard let message = try? KioskJSON.decoder().decode(DeliveryMessage.self, from: delivery.payload) else { continue }
            let output: Operations.ReportDelivery.Output
            do {
                output = try await client.reportDelivery(
                    body: .json(
                        .init(
                            deliveryID: message.deliveryID, caseID: message.caseID, item: message.item, at: message.at,
                            reprint: message.reprint, resultSHA256: message.resultSHA256)))
            } catch {
                throw classify(error)
            }
            switch output {
            case .ok:
                try await storeCall { [now] in try await self.store.acknowledgeDelivery(seq: delivery.seq, at: now()) }
                report.deliveriesStored += 1
            case .conflict, .badRequest, .notFound:
                // Never resent as is: kept with the platform's reason for a technician.
                try await storeCall { try await self.store.recordRefusal(seq: delivery.seq, reason: output.problemMessage ?? "refused") }
            default:
                throw failure(output.statusAndProblem, retryAfter: output.retryAfter)
            }
        }
    }
}
