import Foundation
import KioskCore

/// A kiosk's report that it printed an item's result for its citizen (送达, 统一出件), or
/// printed it again (补打). Nothing personal: ids, times and the document's SHA-256.
public struct DeliveryRecord: Sendable, Hashable, Codable {
    public var deliveryID: String
    public var kioskID: String
    public var caseID: String
    public var item: String
    /// When the kiosk's printer finished the job.
    public var at: Date
    public var reprint: Bool
    public var resultSHA256: String?
    /// The kiosk's name, where read back for the workbench.
    public var kioskName: String?

    public init(
        deliveryID: String, kioskID: String, caseID: String, item: String, at: Date, reprint: Bool, resultSHA256: String?,
        kioskName: String? = nil
    ) {
        self.deliveryID = deliveryID
        self.kioskID = kioskID
        self.caseID = caseID
        self.item = item
        self.at = at
        self.reprint = reprint
        self.resultSHA256 = resultSHA256
        self.kioskName = kioskName
    }

    /// A replay must say what the first report said; anything else under the same id is a conflict.
    func sameReport(caseID: String, item: String, reprint: Bool) -> Bool {
        self.caseID == caseID && self.item == item && self.reprint == reprint
    }

    /// The case after this report: the first delivery of an approved item moves it to
    /// 送达; a reprint, or an item already past 办结, moves nothing (nil).
    func move(
        _ bundleCase: BundleCase, stage: ItemState, day: CivilDate, at recordedAt: Date, kioskName: String
    ) throws(PlatformError)
        -> BundleCase?
    {
        guard !reprint, stage == .approved else { return nil }
        var moved = bundleCase
        do {
            try moved.move(item, to: .delivered, day: day, at: recordedAt, actor: "kiosk \(kioskName)")
        } catch {
            throw PlatformError(.illegalStage, error.message, cause: error)
        }
        return moved
    }
}
