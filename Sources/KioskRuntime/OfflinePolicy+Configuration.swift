import KioskConfig
import KioskSession

extension OfflinePolicy {
    /// The policy kiosk.yaml's `sync.offline` section sets.
    init(_ sync: KioskConfiguration.Sync) {
        self.init(
            maxTimeSinceSync: sync.maxHoursSinceSync * 3600, maxUnsentCases: sync.maxUnsentCases,
            maxCatalogAge: sync.maxCatalogDaysBehind * 86_400)
    }
}
