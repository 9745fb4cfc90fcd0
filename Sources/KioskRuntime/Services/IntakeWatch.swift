import Foundation
import KioskConfig
import KioskSession
import KioskStore
import Logging
import ServiceLifecycle

/// Decides, every few seconds, whether the kiosk takes new applications: not while the store
/// waits for a technician, and not past the offline policy's limits. The attract screen says
/// so before a citizen starts; progress lookup and reprints go on.
struct IntakeWatch: Service {
    let store: CaseStore
    let session: SessionController
    /// nil: no platform configured (an offline-only kiosk has no sync limits).
    let policy: OfflinePolicy?
    /// Free space in the state folder: below its minimum, a new case could fail half-written.
    var disk: DiskSpace?
    let interval: Duration
    let logger: Logger

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                await session.updateIntake(await Self.status(store: store, policy: policy, disk: disk, now: Date()))
                try? await Task.sleep(for: interval)
            }
        }
    }

    static func status(store: CaseStore, policy: OfflinePolicy?, disk: DiskSpace? = nil, now: Date) async -> IntakeStatus {
        guard await store.acceptsCases else {
            return IntakeStatus(
                acceptsApplications: false, online: false, notice: IntakeStatus.storeNotice, reason: "the store is quarantined")
        }
        if let shortage = disk?.shortage() {
            return IntakeStatus(acceptsApplications: false, online: false, notice: IntakeStatus.storeNotice, reason: shortage)
        }
        guard let policy else { return .open }
        guard let figures = try? await store.syncFigures() else {
            return IntakeStatus(
                acceptsApplications: false, online: false, notice: IntakeStatus.storeNotice, reason: "the store cannot be read")
        }
        // Online: the last exchange succeeded within the last two minutes.
        let online = figures.lastError == nil && figures.lastSuccessAt.map { now.timeIntervalSince($0) < 120 } ?? false
        switch policy.verdict(
            lastSuccessAt: figures.lastSuccessAt, oldestUnsentAt: figures.oldestUnsentAt, unsentCases: figures.queueDepth,
            catalogSupersededAt: figures.catalogSupersededAt, now: now)
        {
        case .ok, .approaching:
            return IntakeStatus(acceptsApplications: true, online: online)
        case let .passed(reason, limit):
            return IntakeStatus(acceptsApplications: false, online: online, notice: IntakeStatus.notice(for: limit), reason: reason)
        }
    }
}
