import Foundation
import KioskSyncAPI

extension SyncService {
    /// 统一出件: a kiosk printed an item's result for its citizen. (Being built: answers that
    /// the platform cannot record it yet, so the kiosk keeps the report and sends it again.)
    public func reportDelivery(_ input: Operations.ReportDelivery.Input) async throws -> Operations.ReportDelivery.Output {
        _ = try kiosk
        return .serviceUnavailable(.init(body: .json(Self.problem("not-ready", "deliveries are not recorded by this platform yet"))))
    }
}
