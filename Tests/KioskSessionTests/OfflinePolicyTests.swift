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
            case let .passed(reason, limit) = policy.verdict(
                lastSuccessAt: now.addingTimeInterval(-73 * 3600), oldestUnsentAt: nil, unsentCases: 0, now: now)
        else { Issue.record("73 hours offline still takes applications"); return }
        #expect(reason.contains("73 h"))
        #expect(limit == .timeSinceSync)
        guard
            case .passed = policy.verdict(lastSuccessAt: nil, oldestUnsentAt: now.addingTimeInterval(-80 * 3600), unsentCases: 1, now: now)
        else { Issue.record("a kiosk that never synced its 80-hour-old case still takes applications"); return }
        guard case .passed(_, .unsentCases) = policy.verdict(lastSuccessAt: now, oldestUnsentAt: now, unsentCases: 100, now: now) else {
            Issue.record("100 unsent cases still take applications"); return
        }
    }

    @Test("The catalogue: served on while the platform announces nothing newer; warned of, then closed, once a newer one waits too long")
    func catalogueAge() {
        let day: TimeInterval = 86_400
        // Online, nothing announced: a catalogue is current however old its files are.
        #expect(policy.verdict(lastSuccessAt: now, oldestUnsentAt: nil, unsentCases: 0, catalogSupersededAt: nil, now: now) == .ok)
        #expect(
            policy.verdict(
                lastSuccessAt: now, oldestUnsentAt: nil, unsentCases: 0, catalogSupersededAt: now.addingTimeInterval(-2 * day), now: now)
                == .ok)
        guard
            case let .approaching(warning) = policy.verdict(
                lastSuccessAt: now, oldestUnsentAt: nil, unsentCases: 0, catalogSupersededAt: now.addingTimeInterval(-25 * day), now: now)
        else { Issue.record("25 of 30 days behind the platform's catalogue is not a warning"); return }
        #expect(warning.contains("install the new one"))
        guard
            case let .passed(reason, .catalogAge) = policy.verdict(
                lastSuccessAt: now, oldestUnsentAt: nil, unsentCases: 0, catalogSupersededAt: now.addingTimeInterval(-31 * day), now: now)
        else { Issue.record("31 days behind the platform's catalogue still takes applications"); return }
        #expect(reason.contains("31 days"))
        #expect(IntakeStatus.notice(for: .catalogAge).contains("办事指南"))
        #expect(IntakeStatus.notice(for: .timeSinceSync).contains("未能连接"))
        #expect(IntakeStatus.notice(for: .unsentCases).contains("尚未上传"))
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
        let progress = try await rig.controller.start(bundle: nil)
        #expect(progress.step == .progressCard)

        await rig.controller.updateIntake(IntakeStatus(acceptsApplications: true, online: true))
        #expect(await rig.controller.offer().acceptingApplications)
        #expect(try await rig.controller.start(bundle: "newborn", token: progress.token).step == .notice)
    }
}
