import Foundation
import KioskCore

/// The department side of the procedure: a department moves its work item through the stages
/// (收件 → 受理/不予受理 → 审核, 补正, 特别程序 → 办结 → 送达), with a reason where the procedure asks
/// for one, and never decides an item before the items it needs have their result.
public struct Departments: Sendable {
    let storage: any PlatformStorage
    let catalog: Catalog
    let calendar: WorkingDayCalendar?
    let timeZone: TimeZone

    public init(storage: any PlatformStorage, catalog: Catalog, calendar: WorkingDayCalendar? = nil, timeZone: TimeZone) {
        self.storage = storage
        self.catalog = catalog
        self.calendar = calendar
        self.timeZone = timeZone
    }

    /// Stages whose move must say why (written reasons of the procedure).
    static let needReason: Set<ItemState> = [.notAccepted, .awaitingSupplements, .suspended, .denied]

    /// Moves `item` of `caseID` to `stage`; the kiosk sees the change on its next pull.
    public func advance(
        caseID: String, item: String, to stage: ItemState, reason: String? = nil, result: Data? = nil, actor: String, at: Date = Date()
    ) async throws(PlatformError) -> CaseSummary {
        let reason = reason?.trimmingCharacters(in: .whitespacesAndNewlines)
        if Self.needReason.contains(stage), reason?.isEmpty ?? true {
            throw PlatformError(.reasonRequired, "moving to \(stage.rawValue) needs a written reason (--reason)")
        }
        if result != nil, stage != .approved {
            throw PlatformError(.illegalStage, "a result document goes with 办结 (approved) only")
        }
        let (catalog, calendar) = (self.catalog, self.calendar)
        let move = ItemMove(
            caseID: caseID, item: item, stage: stage, reason: reason, result: result, actor: actor, at: at, day: CivilDate(at, in: timeZone)
        )
        return try await storage.advance(move) { (bundleCase: BundleCase) throws(PlatformError) in
            guard [.approved, .denied].contains(stage) else { return }
            // 并联审批 with order where it matters: a decision waits for the results it needs.
            // An item the case's situation left out (no work item) is decided without.
            let needs = (catalog.bundle(bundleCase.bundle)?.items.first { $0.id == item }?.dependsOn ?? [])
                .filter { bundleCase.items[$0] != nil }
            let open = needs.filter { bundleCase.state(of: $0).map { ![.approved, .delivered, .archived].contains($0) } ?? true }
            guard open.isEmpty else {
                throw PlatformError(.dependencyOpen, "item '\(item)' needs the result of \(open.joined(separator: ", ")) first")
            }
        } promise: { bundleCase in
            Self.promisedDate(of: item, in: bundleCase, catalog: catalog, calendar: calendar, today: move.day)
        }
    }

    /// The item's promised date on the working-day calendar, counted from acceptance (受理)
    /// with the clock stopped while supplements or special procedures run.
    static func promisedDate(
        of item: ItemID, in bundleCase: BundleCase, catalog: Catalog, calendar: WorkingDayCalendar?, today: CivilDate
    ) -> String? {
        guard let calendar, let accepted = bundleCase.acceptanceDay, let definition = catalog.bundle(bundleCase.bundle),
            let blueprint = try? BundleBlueprint(bundle: definition.applying(Set(bundleCase.items.keys)), catalog: catalog)
        else { return nil }
        let schedule = blueprint.schedule(from: accepted, calendar: calendar, stops: bundleCase.clockStops(asOf: today))
        return schedule.items.first { $0.item == item }?.promisedDeadline.date.description
    }
}
