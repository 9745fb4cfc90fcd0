import Foundation
import KioskAPI
import KioskCore
import KioskStore

/// "Check my progress" (查询办件进度): the citizen's own cases, found by the keyed hash of the
/// ID number on the card, with each item's stage in the citizen's words.
extension SessionController {
    func loadProgress(idNumber: String) {
        let key = lookup.citizenKey(idNumber: idNumber)
        let servedGeneration = generation
        let store = self.store
        schedule { [weak self] in
            let cases = (try? await store.cases(citizenKey: key, limit: 20)) ?? []
            let platform = (try? await store.platformStatuses(caseIDs: cases.map(\.id))) ?? [:]
            let printed = (try? await store.deliveryCounts(caseIDs: cases.map(\.id))) ?? [:]
            await self?.showProgress(cases, platform: platform, printed: printed, idNumber: idNumber, generation: servedGeneration)
        }
    }

    /// The platform reported stages or results: a citizen looking at their progress sees them
    /// arrive (a result becomes printable while they stand there), not only on their next visit.
    public func platformReported() {
        guard session.step == .progress, let idNumber = session.card?.idNumber else { return }
        loadProgress(idNumber: idNumber)
    }

    /// Each item as the platform last reported it (its stage, reason and promised date), or as
    /// the kiosk recorded it while no word came back yet; a ready result with where it goes, and
    /// 已领取 once printed here (`+Results`).
    private func showProgress(
        _ cases: [StoredCase], platform: [String: [String: PlatformItemStatus]], printed: [String: [String: Int]], idNumber: String,
        generation served: Int
    ) {
        guard generation == served, session.step == .progress, session.card?.idNumber == idNumber else { return }
        // A refresh keeps what this visit did (a receipt reprinted).
        let reprinted = Set(progress.filter(\.reprinted).map(\.receiptNumber))
        progress = cases.map { stored in
            let detail = stored.detail.flatMap { try? KioskJSON.decoder().decode(BundleCase.self, from: $0) }
            let bundle = catalog?.bundle(stored.bundleID)
            let reported = platform[stored.id] ?? [:]
            let items = (bundle?.items ?? []).map { item in
                let status = reported[item.id]
                let state = status.flatMap { ItemState(rawValue: $0.stage) } ?? detail?.state(of: item.id) ?? .received
                var shown = ProgressCase.Item(
                    name: item.name, department: item.department, state: state.rawValue, label: Self.label(state), reason: status?.reason,
                    promisedBy: status?.promisedBy, updatedAt: status?.at)
                shown.id = item.id
                shown.result = resultView(for: stored, item: item.id, status: status, printed: printed[stored.id]?[item.id] ?? 0)
                if (shown.result?.printed ?? 0) > 0 { shown.label = "已领取" }
                return shown
            }
            let ready =
                reported.values.contains { $0.resultReady }
                || (detail.map { c in c.items.values.contains { $0.state == .approved } } ?? false)
            var shown = ProgressCase(
                receiptNumber: stored.receiptNumber, bundleName: bundle?.name ?? stored.bundleID, receivedAt: stored.createdAt,
                items: items, ready: ready)
            shown.resultCollection = stored.resultCollection
            shown.reprinted = reprinted.contains(stored.receiptNumber)
            return shown
        }
        changed("progress")
    }

    /// An item's stage as a citizen reads it.
    static func label(_ state: ItemState) -> String {
        switch state {
        case .received: "已收件"
        case .accepted: "已受理"
        case .notAccepted: "不予受理"
        case .inReview: "审核中"
        case .awaitingSupplements: "待补正"
        case .suspended: "特别程序"
        case .approved: "已办结，可领取"
        case .denied: "不予许可"
        case .withdrawn: "已撤回"
        case .delivered: "已送达"
        case .archived: "已归档"
        }
    }
}
