import Foundation
import KioskAPI
import KioskCore
import KioskStore

/// "Check my progress" (查询办件进度): the citizen's own cases, found by the keyed hash of the
/// ID number on the card, with each item's stage in the citizen's words.
extension SessionController {
    func loadProgress(idNumber: String) {
        let key = seal.citizenKey(idNumber: idNumber)
        let servedGeneration = generation
        let store = self.store
        schedule { [weak self] in
            let cases = (try? await store.cases(citizenKey: key, limit: 20)) ?? []
            await self?.showProgress(cases, idNumber: idNumber, generation: servedGeneration)
        }
    }

    private func showProgress(_ cases: [StoredCase], idNumber: String, generation served: Int) {
        guard generation == served, session.step == .progress, session.card?.idNumber == idNumber else { return }
        progress = cases.map { stored in
            let detail = stored.detail.flatMap { try? KioskJSON.decoder().decode(BundleCase.self, from: $0) }
            let bundle = catalog?.bundle(stored.bundleID)
            let items = (bundle?.items ?? []).map { item in
                let state = detail?.state(of: item.id) ?? .received
                return ProgressCase.Item(name: item.name, department: item.department, state: state.rawValue, label: Self.label(state))
            }
            return ProgressCase(
                receiptNumber: stored.receiptNumber, bundleName: bundle?.name ?? stored.bundleID, receivedAt: stored.createdAt,
                items: items, ready: detail.map { c in c.items.values.contains { $0.state == .approved } } ?? false)
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
