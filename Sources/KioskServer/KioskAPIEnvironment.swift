import Foundation
import KioskAPI
import KioskAudit
import KioskCore
import KioskDevices
import KioskHandwriting
import KioskPrinting
import KioskSession
import KioskSpeech
import KioskStore
import Prometheus

/// What the HTTP APIs read from the running daemon. The APIs hold no state of their own, so
/// the status page, the event stream and `kioskctl` can never disagree with the daemon.
public struct KioskAPIEnvironment: Sendable {
    public var kioskID: String
    public var version: String
    public var startedAt: Date
    public var simulated: Bool
    public var registry: DeviceRegistry
    public var store: CaseStore
    public var bus: EventBus
    public var metrics: PrometheusCollectorRegistry
    /// Runs the daemon's health checks (the watchdog uses the same ones).
    public var health: @Sendable () async -> HealthReport
    /// Runs `kioskctl doctor`'s checks.
    public var doctor: @Sendable () async -> DoctorReport
    /// The site as configured and whether its hall is open now (`nil`: not known, in API tests).
    public var site: (@Sendable () -> SiteStatus)?
    /// Controls of simulated devices, for the demo panel and tests (empty on a real kiosk).
    public var simulators: [DeviceID: SimulatedDeviceControls]
    /// The catalog and calendar loaded at start.
    public var catalog: CatalogStatus
    /// The citizen's session (`nil`: the kiosk offers no session, e.g. in API-only tests).
    public var session: SessionController?
    /// The folder the citizen's screen (HTML, CSS, JavaScript) is served from.
    public var screenDirectory: String?
    /// The demo panel's controls (`kioskd demo` only).
    public var demo: (any DemoControls)?
    /// Calibration of the touch panel on the kiosk's own screen (`nil`: no touch screen).
    public var calibrator: ScreenCalibrator?
    /// The print queue (`nil`: templates missing, receipts go on screen).
    public var printQueue: PrintQueue?
    /// The relay to the platform (`nil`: no platform configured, offline only).
    public var sync: (any SyncControls)?
    /// Where store decisions (recover, reset) are recorded.
    public var audit: AuditTrail?
    /// The technicians' way into maintenance mode (`nil`: none, e.g. in API-only tests).
    public var maintenance: (any MaintenanceControls)?
    /// The handwriting pad's recogniser (`nil`: no model installed; the pad is not offered).
    public var handwriting: HandwritingRecognizer?
    /// Spoken guidance (`nil`: none, e.g. in API-only tests).
    public var voice: PromptVoice?

    public init(
        kioskID: String, version: String, startedAt: Date, simulated: Bool, registry: DeviceRegistry, store: CaseStore,
        bus: EventBus, metrics: PrometheusCollectorRegistry, health: @escaping @Sendable () async -> HealthReport,
        doctor: @escaping @Sendable () async -> DoctorReport, site: (@Sendable () -> SiteStatus)? = nil,
        simulators: [DeviceID: SimulatedDeviceControls] = [:],
        catalog: CatalogStatus, session: SessionController? = nil, screenDirectory: String? = nil,
        demo: (any DemoControls)? = nil, calibrator: ScreenCalibrator? = nil, printQueue: PrintQueue? = nil,
        sync: (any SyncControls)? = nil, audit: AuditTrail? = nil
    ) {
        self.sync = sync
        self.audit = audit
        self.printQueue = printQueue
        self.calibrator = calibrator
        self.session = session
        self.screenDirectory = screenDirectory
        self.demo = demo
        self.kioskID = kioskID
        self.site = site
        self.version = version
        self.startedAt = startedAt
        self.simulated = simulated
        self.registry = registry
        self.store = store
        self.bus = bus
        self.metrics = metrics
        self.health = health
        self.doctor = doctor
        self.simulators = simulators
        self.catalog = catalog
    }

    /// The status as `GET /api/v1/status` reports it.
    public func status() async -> KioskStatus {
        let store = await store.summary()
        let sync = await self.sync?.status()
        var status = KioskStatus(
            version: version, kioskID: kioskID, startedAt: startedAt,
            uptimeSeconds: Date().timeIntervalSince(startedAt), acceptingCases: store.acceptsCases,
            devices: await registry.all(), store: store,
            syncQueue: SyncQueueStatus(
                depth: sync?.queueDepth ?? store.syncQueueDepth, oldestUnsentAt: sync.map { $0.oldestUnsentAt } ?? store.oldestUnsentAt,
                lastError: sync?.lastError),
            health: await health(), simulated: simulated, catalog: catalog)
        status.sync = sync
        status.site = site?()
        status.maintenance = await maintenance?.status()
        return status
    }

    /// Brings the gauges up to date with the daemon's state, just before a scrape.
    func refreshGauges(with status: KioskStatus) {
        gauge("kiosk_uptime_seconds", help: "Seconds since kioskd started").set(status.uptimeSeconds)
        gauge("kiosk_accepting_cases", help: "1 when new cases can be accepted")
            .set(status.acceptingCases ? 1.0 : 0.0)
        gauge("kiosk_healthy", help: "1 while the process is alive and working (liveness)").set(status.health.healthy ? 1.0 : 0.0)
        gauge("kiosk_ready", help: "1 while the kiosk can take citizens' applications (readiness)").set(status.health.ready ? 1.0 : 0.0)
        gauge("kiosk_store_cases", help: "Cases in the local store").set(Double(status.store.cases))
        gauge("kiosk_catalog_bundles", help: "Bundles offered to citizens").set(Double(status.catalog.bundles))
        gauge("kiosk_sync_queue_depth", help: "Outbox rows not yet acknowledged by the platform")
            .set(Double(status.syncQueue.depth))
        let oldest = status.syncQueue.oldestUnsentAt.map { Date().timeIntervalSince($0) } ?? 0
        gauge("kiosk_sync_oldest_unsent_seconds", help: "Age of the oldest unsent outbox row")
            .set(oldest)
        if let sync = status.sync {
            gauge("kiosk_sync_unsent_attachments", help: "Attachments the platform has not verified").set(Double(sync.unsentAttachments))
            gauge("kiosk_sync_last_success_timestamp_seconds", help: "When the last sync exchange succeeded (Unix time)")
                .set(sync.lastSuccessAt?.timeIntervalSince1970 ?? 0)
            gauge("kiosk_sync_failing", help: "1 while the last sync attempt failed").set(sync.lastError == nil ? 0.0 : 1.0)
            gauge("kiosk_sync_cursor", help: "The cursor of the last platform change applied").set(Double(sync.cursor))
            gauge("kiosk_clock_skew_seconds", help: "The kiosk's clock minus the platform's").set(sync.skewSeconds ?? 0)
        }
        for device in status.devices {
            for state in DeviceState.allCases {
                gauge(
                    "kiosk_device_state", help: "1 for the device's current state",
                    labels: [("device", device.id.rawValue), ("kind", device.kind.rawValue), ("state", state.rawValue)]
                ).set(device.state == state ? 1.0 : 0.0)
            }
            for (counter, value) in device.counters {
                gauge(
                    "kiosk_device_counter", help: "Persistent device counters (good reads, pages printed, paper outs...)",
                    labels: [("device", device.id.rawValue), ("counter", counter.rawValue)]
                ).set(Double(value))
            }
        }
    }

    /// A gauge by its full name (no unit suffix: the names already say what they count).
    private func gauge(_ name: String, help: String, labels: [(String, String)] = []) -> Gauge {
        metrics.makeGauge(descriptor: MetricNameDescriptor(metricName: name, unitName: "", helpText: help), labels: labels)
    }
}
