import Foundation
import KioskAPI
import KioskCore
import KioskSession
import Testing

@Suite("The offline policy closes applications before a citizen starts, and only then")
struct OfflinePolicyTests {
    let policy = OfflinePolicy(maxTimeSinceSync: 72 * 3600, maxUnsentCases: 100)
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    @Test("Limits: time since the last sync, or since the oldest unsent case for a kiosk that never synced; and unsent cases")
    func verdicts() {
        #expect(policy.verdict(lastSuccessAt: nil, oldestUnsentAt: nil, unsentCases: 0, now: now) == .ok)
        #expect(policy.verdict(lastSuccessAt: now.addingTimeInterval(-3600), oldestUnsentAt: nil, unsentCases: 10, now: now) == .ok)
        guard
            case .approaching = policy.verdict(
                lastSuccessAt: now.addingTimeInterval(-60 * 3600), oldestUnsentAt: nil, unsentCases: 0, now: now)
        else { Issue.record("60 of 72 hours offline is not a warning"); return }
        guard case .approaching = policy.verdict(lastSuccessAt: now, oldestUnsentAt: now, unsentCases: 80, now: now) else {
            Issue.record("80 of 100 unsent cases is not a warning"); return
        }
        guard
            case let .passed(reason) = policy.verdict(
                lastSuccessAt: now.addingTimeInterval(-73 * 3600), oldestUnsentAt: nil, unsentCases: 0, now: now)
        else { Issue.record("73 hours offline still takes applications"); return }
        #expect(reason.contains("73 h"))
        guard
            case .passed = policy.verdict(lastSuccessAt: nil, oldestUnsentAt: now.addingTimeInterval(-80 * 3600), unsentCases: 1, now: now)
        else { Issue.record("a kiosk that never synced its 80-hour-old case still takes applications"); return }
        guard case .passed = policy.verdict(lastSuccessAt: now, oldestUnsentAt: now, unsentCases: 100, now: now) else {
            Issue.record("100 unsent cases still take applications"); return
        }
    }

    @Test("Closed: the offer says why and where to go, a bundle cannot start, progress lookup still can; reopened when sync succeeds")
    func closesAndReopens() async throws {
        let rig = try SessionRig()
        await rig.controller.updateIntake(
            IntakeStatus(acceptsApplications: false, online: false, notice: IntakeStatus.offlineNotice, reason: "test"))
        let offer = await rig.controller.offer()
        #expect(offer.acceptingApplications == false)
        #expect(offer.notice?.contains("查询办件进度") == true)
        do {
            _ = try await rig.controller.start(bundle: "newborn")
            Issue.record("a bundle started while applications are closed")
        } catch {
            #expect(error.message.contains("暂停受理"))
        }
        #expect(try await rig.controller.start(bundle: nil).step == .progressCard)

        await rig.controller.updateIntake(IntakeStatus(acceptsApplications: true, online: true))
        #expect(await rig.controller.offer().acceptingApplications)
        #expect(try await rig.controller.start(bundle: "newborn").step == .notice)
    }
}
