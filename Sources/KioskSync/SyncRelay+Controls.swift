import Foundation
import KioskAPI
import KioskStore

extension SyncRelay: SyncControls {
    public func status() async -> SyncStatus {
        let figures = try? await store.syncFigures()
        var status = SyncStatus(
            platform: settings.platform.absoluteString, queueDepth: figures?.queueDepth ?? 0, oldestUnsentAt: figures?.oldestUnsentAt,
            unsentAttachments: figures?.unsentAttachments ?? 0, unsentRatings: figures?.unsentRatings ?? 0,
            lastSuccessAt: figures?.lastSuccessAt, lastAttemptAt: figures?.lastAttemptAt,
            lastError: figures == nil ? "the kiosk's store cannot be read" : figures?.lastError, cursor: figures?.cursor ?? 0,
            skewSeconds: figures?.skewSeconds, staged: figures?.staged ?? [:],
            lastPass: lastReport.map {
                SyncStatus.Pass(
                    casesStored: $0.casesStored, casesRefused: $0.casesRefused, attachmentsVerified: $0.attachmentsVerified,
                    ratingsStored: $0.ratingsStored, changesApplied: $0.changesApplied, error: $0.error)
            })
        status.unsentDeliveries = figures?.unsentDeliveries ?? 0
        return status
    }

    public func syncNow() async -> SyncStatus {
        _ = await syncPass()
        return await status()
    }
}
