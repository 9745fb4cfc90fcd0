import Foundation
import Hummingbird
import HummingbirdCore
import KioskAPI
import KioskCatalog
import KioskConfig
import KioskCore
import KioskDevices
import KioskDocuments
import KioskFiles
import KioskHandwriting
import KioskPrinting
import KioskServer
import KioskSession
import KioskSpeech
import KioskStore
import KioskSync
import KioskTrust
import Logging
import NIOCore
import Prometheus
import ServiceLifecycle
import UnixSignals

#if canImport(Glibc)
    import Glibc
#endif

/// `kioskd`: opens the store and the devices, serves the local and admin APIs, talks to
/// systemd, and stops cleanly on SIGTERM or SIGINT.
public struct KioskDaemon: Sendable {
    public let configuration: KioskConfiguration
    /// Where the configuration came from (`nil`: embedded defaults).
    public let configurationPath: String?
    public let redactor: Redactor
    public let metrics: PrometheusCollectorRegistry
    public let notifier: SystemdNotifier
    public let logger: Logger
    /// The version of the platform's signed site profile read over kiosk.yaml at start (nil: none).
    public let signedSiteVersion: Int?
    /// Runs between the listeners' check and their binding: a test takes an address here, as
    /// another program could, to prove that the bind's own failure is reported as well.
    @_spi(Testing) public var afterListenerCheck: @Sendable () async throws -> Void = {}

    public init(
        configuration: KioskConfiguration, configurationPath: String?, redactor: Redactor,
        metrics: PrometheusCollectorRegistry, notifier: SystemdNotifier = SystemdNotifier(), logger: Logger
    ) {
        var configuration = configuration
        (configuration, signedSiteVersion) = Self.applyingSignedSiteProfile(configuration, path: configurationPath, logger: logger)
        if configuration.sync.platform == nil, configuration.sync.credentialFile == nil,
            let enrolled = try? IdentityFolder(stateDirectory: configuration.paths.stateDir).enrolled()
        {
            // Enrolled with `kioskctl enroll`: the platform it enrolled with, unless kiosk.yaml names one.
            configuration.sync.platform = enrolled.platform.absoluteString
        }
        self.configuration = configuration
        self.configurationPath = configurationPath
        self.redactor = redactor
        self.metrics = metrics
        self.notifier = notifier
        self.logger = logger
    }

    /// Runs until a graceful stop completes. Throws ``DaemonError`` when the daemon cannot
    /// start or fails while running.
    public func run() async throws {
        let startedAt = Date()
        // The database, its WAL and shared memory (SQLite makes those with the umask, not the
        // database's mode) and anything else written here may hold personal data: only the
        // daemon's user reads them. The admin socket is opened to its group explicitly.
        umask(0o077)
        try prepareFolders()
        try Self.checkListeners(configuration)
        try await afterListenerCheck()
        let store: CaseStore
        do {
            store = try CaseStore(path: configuration.paths.databasePath, logger: logger)
        } catch {
            throw DaemonError(.store, "the store cannot be opened: \(error.message)", cause: error)
        }

        let audit = await Self.auditStart(configuration, configurationPath: configurationPath, store: store, logger: logger)

        let profiles = DeviceProfileCatalog.load(directory: configuration.paths.profilesDir)
        for problem in profiles.problems {
            logger.warning("Device profile skipped", metadata: ["problem": "\(problem)"])
        }

        let (catalog, loadedCatalog, calendar) = Self.loadCatalog(Self.bundlePaths(configuration), logger: logger)
        let lookup: CitizenLookup
        do {
            lookup = try CitizenLookup.loadOrCreate(at: (configuration.paths.stateDir as NSString).appendingPathComponent("lookup.key"))
        } catch {
            throw DaemonError(.sealKey, "the citizen lookup key cannot be used: \(error.message)", cause: error)
        }
        let sealing = Self.sealingKey(configuration, logger: logger)

        let bus = EventBus()
        let registry = DeviceRegistry(bus: bus, counterStore: StoreCounterStore(store: store), logger: logger)
        let cups = CUPSClient()
        let printQueue = Self.makePrintQueue(configuration, store: store, cups: cups, bus: bus, logger: logger)
        let cardReader = IDCardReaderControls()
        let rig = DemoRig(cardsFolder: (configuration.paths.profilesDir as NSString).appendingPathComponent("idcard/cards"))
        let (drivers, simulators) = DeviceFactory(
            configuration: configuration, profiles: profiles, bus: bus, logger: logger,
            cardReaderControls: cardReader, cups: cups, rig: rig,
            attachReceiptPrinter: { id, printer in
                if let printer {
                    await printQueue?.attach(ESCPOSDocumentPrinter(id: id, printer: printer))
                } else {
                    await printQueue?.detach(id)
                }
            }
        ).drivers()
        let session = SessionController(
            kioskID: configuration.kiosk.id, settings: Self.sessionSettings(configuration), catalog: loadedCatalog,
            calendar: calendar, store: store, lookup: lookup, sealingKey: nil, outbox: CaseMessageFormat(), printQueue: printQueue,
            bus: bus,
            cardReader: cardReader, prefill: Self.loadSharedData(configuration.paths.sharedData, logger: logger), redactor: redactor,
            logger: logger)
        if let sealing { await session.install(sealingKey: sealing.key, origin: sealing.origin) }
        let supervisor = DeviceSupervisor(registry: registry, drivers: drivers, logger: logger)
        await supervisor.registerDevices()
        let maintenance = Self.maintenanceDesk(configuration, session: session, audit: audit, logger: logger)
        let relay = try Self.makeRelay(
            configuration, store: store, registry: registry, startedAt: startedAt, logger: logger,
            sealingKey: { await session.sealing?.id },
            onBundle: { [configuration, configurationPath] kind, folder, version in
                if kind == .configuration {
                    Self.installSiteProfile(
                        version: version, configuration: configuration, configurationPath: configurationPath, audit: audit, logger: logger)
                }
                await Self.install(kind, from: folder, version: version, into: session, maintenance: maintenance, logger: logger)
            },
            onChanges: { await session.platformReported() })

        // With a platform, prefill is the platform's (一人一档); a local file is only for a kiosk without one.
        // Query-and-print is answered by the platform only.
        if let relay {
            await session.use(prefill: PlatformPrefill(relay: relay))
            await session.use(certificates: PlatformCertificates(relay: relay))
        }
        // Results collected here (统一出件) come from the platform and print on the A4 printer.
        if let relay {
            await session.use(results: PlatformResults(relay: relay), printer: Self.resultPrinter(configuration, cups: cups))
            await session.settleUnfinishedResultPrints()
        }

        let readiness = Readiness(listeners: ["local", "admin"])
        let disk = DiskSpace(
            path: configuration.paths.stateDir, minimumBytes: Int64(configuration.lifecycle.minFreeMegabytes * 1_048_576))
        let bundlesOffered = loadedCatalog?.bundles.count ?? 0
        let health: @Sendable () async -> HealthReport = {
            var checks: [HealthReport.Check] = []
            switch await store.condition {
            case .open:
                do {
                    try await store.ping()
                    checks.append(.init(name: "store", ok: true, detail: "open"))
                } catch {
                    checks.append(.init(name: "store", ok: false, detail: "\(error)"))
                }
            case .quarantined:
                // A restart cannot fix this; the technician must decide: alive, not ready.
                checks.append(
                    .init(name: "store", kind: .readiness, ok: false, detail: "quarantined: waiting for a technician (kioskctl doctor)"))
            }
            checks.append(.init(name: "api", ok: readiness.isReady, detail: readiness.isReady ? "listening" : "not listening"))
            let shortage = disk.shortage()
            checks.append(.init(name: "disk", kind: .readiness, ok: shortage == nil, detail: shortage ?? "room for new cases"))
            checks.append(
                .init(
                    name: "catalog", kind: .readiness, ok: bundlesOffered > 0,
                    detail: bundlesOffered > 0
                        ? "\(bundlesOffered) bundles offered"
                        : "no service catalogue loaded from \(configuration.paths.catalogDir): no bundle can start (kioskctl catalog lint)")
            )
            return HealthReport(checks: checks)
        }
        let doctor = Doctor(
            configuration: configuration, configurationPath: configurationPath, store: store, registry: registry,
            profileProblems: profiles.problems, catalog: catalog, sealing: { await session.sealing }, cups: cups,
            signedSiteVersion: signedSiteVersion)
        var environment = KioskAPIEnvironment(
            kioskID: configuration.kiosk.id, version: KioskVersion.current, startedAt: startedAt,
            simulated: configuration.devices.contains(where: configuration.isSimulated), registry: registry, store: store, bus: bus,
            metrics: metrics,
            health: health, doctor: { await doctor.run() }, site: { [configuration] in SiteStatus(configuration) }, simulators: simulators,
            catalog: catalog, session: session,
            screenDirectory: configuration.paths.screenDir,
            // The demo routes (sample cards, taps) only under `kioskd demo`: under `kioskd run`
            // any local process could otherwise place a fake identity.
            demo: configuration.demoMode && configuration.devices.contains(where: configuration.isSimulated) ? rig : nil,
            calibrator: configuration.devices.contains { $0.kind == .touchScreen }
                ? ScreenCalibrator(
                    bus: bus, current: configuration.touch.calibration.flatMap(CalibrationMatrix.init) ?? .identity,
                    isScreenFree: { await session.isIdle }) : nil,
            printQueue: printQueue, sync: relay, audit: audit)
        environment.maintenance = maintenance
        environment.handwriting = Self.handwritingRecognizer(logger: logger)
        environment.voice = PromptVoice(
            cacheDirectory: URL(fileURLWithPath: configuration.paths.stateDir).appendingPathComponent("speech", isDirectory: true))

        // A request that stalls (or a connection left idle) is cut after the read timeout; a
        // response in progress (the event stream) is not. Connections beyond the limit wait.
        let localAPI = Application(
            router: LocalAPI.router(environment: environment, logger: logger),
            server: .http1(configuration: .init(idleTimeout: .milliseconds(Int64(configuration.api.readTimeoutSeconds * 1000)))),
            configuration: .init(
                address: .hostname(configuration.api.host, port: configuration.api.port), serverName: "kioskd",
                availableConnectionsDelegate: MaximumAvailableConnections(configuration.api.maxConnections)),
            onServerRunning: { channel in
                let address = channel.localAddress.map { "\($0.ipAddress ?? configuration.api.host):\($0.port ?? 0)" } ?? "?"
                logger.notice("Local API listening", metadata: ["listen": "\(address)"])
                readiness.bound("local", at: address)
            },
            logger: logger)
        let socketPath = configuration.paths.adminSocket
        try Self.removeStaleSocket(at: socketPath)  // again: checked at start, and the store took a while
        let adminGroup = configuration.paths.adminGroup
        let adminAPI = Application(
            router: AdminAPI.router(environment: environment, logger: logger),
            configuration: .init(address: .unixDomainSocket(path: socketPath), serverName: "kioskd-admin"),
            onServerRunning: { _ in
                Self.secureSocket(at: socketPath, group: adminGroup, logger: logger)
                logger.notice("Admin API listening", metadata: ["socket": "\(socketPath)"])
                readiness.bound("admin", at: socketPath)
            },
            logger: logger)

        let summary: @Sendable () async -> String = {
            let devices = await registry.all()
            let online = devices.filter { $0.state.isUsable }.count
            let troubled = devices.filter { !$0.state.isUsable }.map { "\($0.id) \($0.state.rawValue)" }
            let storeSummary = await store.summary()
            var parts = ["api \(readiness.addresses["local"] ?? "?")", "devices \(online)/\(devices.count) online"]
            if !troubled.isEmpty { parts.append(troubled.joined(separator: ", ")) }
            parts.append(storeSummary.acceptsCases ? "store open" : "STORE QUARANTINED: run kioskctl doctor")
            if disk.shortage() != nil { parts.append("DISK FULL: no new applications") }
            parts.append("sync queue \(storeSummary.syncQueueDepth)")
            return parts.joined(separator: "; ")
        }
        let systemd = SystemdService(
            notifier: notifier, readiness: readiness, watchdogInterval: SystemdNotifier.watchdogInterval(),
            health: health, summary: summary, store: store, bus: bus, logger: logger)

        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [
            .init(service: UntilShutdown.devices(supervisor)),
            .init(service: UntilShutdown.citizenSession(session)),
            .init(service: UntilShutdown(description: "maintenance") { await maintenance.run() }),
            .init(service: systemd),
            Listener(
                description: "local", server: localAPI, readiness: readiness,
                explain: { [configuration] errno, error in
                    Self.localAPIListenError(errno: errno, host: configuration.api.host, port: configuration.api.port, underlying: error)
                }
            ).configuration,
            Listener(
                description: "admin", server: adminAPI, readiness: readiness,
                explain: { errno, error in Self.adminSocketListenError(errno: errno, path: socketPath, underlying: error) }
            ).configuration,
            .init(service: ShutdownAnnouncer(notifier: notifier, bus: bus, logger: logger)),
        ]
        if let printQueue { services.append(.init(service: UntilShutdown.printQueue(printQueue))) }
        if let relay {
            services.append(.init(service: relay))
            services.append(.init(service: SyncTriggers(bus: bus, relay: relay)))
        }
        let policy =
            relay == nil
            ? nil
            : OfflinePolicy(configuration.sync)
        services.append(
            .init(service: IntakeWatch(store: store, session: session, policy: policy, disk: disk, interval: .seconds(5), logger: logger)))
        // Past the graceful time and the cancellation, kioskd names what did not stop and exits.
        let graceful = Duration.milliseconds(Int64(configuration.lifecycle.shutdownTimeoutSeconds * 1000))
        let stopDeadline = StopDeadline(deadline: graceful + .seconds(4), logger: logger)
        stopDeadline.watch()
        var groupConfiguration = ServiceGroupConfiguration(
            services: services.map(stopDeadline.tracked),
            gracefulShutdownSignals: [.sigterm, .sigint],
            cancellationSignals: [],
            logger: logger)
        groupConfiguration.maximumGracefulShutdownDuration = graceful
        groupConfiguration.maximumCancellationDuration = .seconds(5)
        do {
            try await ServiceGroup(configuration: groupConfiguration).run()
        } catch let error as DaemonError {
            throw error
        } catch {
            throw DaemonError(.stopped, "kioskd stopped on an error: \(error)", cause: error)
        }
        try? FileManager.default.removeItem(atPath: socketPath)
        logger.notice("kioskd stopped cleanly")
    }

    /// Loads the bundle catalog and the calendar. Problems do not stop the daemon (devices,
    /// status and earlier cases still work); they are reported by the status and the doctor.
    static func loadCatalog(
        _ paths: KioskConfiguration.Paths, logger: Logger
    ) -> (status: CatalogStatus, catalog: Catalog?, calendar: WorkingDayCalendar?) {
        let loaded = CatalogLoader.load(directory: paths.catalogDir)
        var years: [Int] = []
        var calendarProblems: [String] = []
        var calendar: WorkingDayCalendar?
        do {
            calendar = try CalendarLoader.load(directory: paths.calendarDir)
            years = calendar?.arrangements.keys.sorted() ?? []
        } catch {
            calendarProblems = error.problems.map(\.description)
        }
        let usable = loaded.problems.isEmpty ? loaded.catalog.bundles.count : 0
        if !loaded.problems.isEmpty || !calendarProblems.isEmpty {
            logger.error(
                "Catalog or calendar has problems; run 'kioskctl catalog lint'",
                metadata: ["catalog.problems": "\(loaded.problems.count)", "calendar.problems": "\(calendarProblems.count)"])
        }
        let status = CatalogStatus(
            bundles: usable, problems: loaded.problems.map(\.description), calendarYears: years, calendarProblems: calendarProblems)
        // A catalog with problems offers no bundle: half a catalog would promise wrong things.
        return (status, loaded.problems.isEmpty ? loaded.catalog : nil, calendar)
    }

    /// The print queue over the configured printers, or `nil` (receipts then go on screen)
    /// when the templates cannot be loaded.
    static func makePrintQueue(
        _ configuration: KioskConfiguration, store: CaseStore, cups: CUPSClient, bus: EventBus, logger: Logger
    ) -> PrintQueue? {
        let templates: TemplateCatalog
        do {
            templates = try TemplateCatalog.load(directory: configuration.paths.templatesDir, kinds: DocumentKind.renderedByKiosk)
        } catch {
            logger.error("Document templates not loaded; receipts will be shown on screen", metadata: ["problem": "\(error)"])
            return nil
        }
        let printers: [any DocumentPrinter] = configuration.devices.compactMap { device in
            guard device.kind == .printer, !configuration.isSimulated(device), let queue = device.queue else { return nil }
            return CUPSDocumentPrinter(id: device.id, queue: queue, client: cups)
        }
        return PrintQueue(
            store: StorePrintJobStore(store: store), renderer: DocumentRenderer(templates: templates), printers: printers, bus: bus,
            logger: logger)
    }

    /// The A4 printer results print on: the first CUPS queue that is not simulated, in the
    /// configuration's order, as `PrintQueue.pdfPrinter()` picks it for certificates.
    static func resultPrinter(_ configuration: KioskConfiguration, cups: CUPSClient) -> CUPSDocumentPrinter? {
        configuration.devices.first { $0.kind == .printer && !configuration.isSimulated($0) && $0.queue != nil }.flatMap { device in
            device.queue.map { CUPSDocumentPrinter(id: device.id, queue: $0, client: cups) }
        }
    }

    /// The session's settings from the configuration; receipts go to the configured printer,
    /// else the first receipt printer, else the first A4 printer.
    static func sessionSettings(_ configuration: KioskConfiguration) -> SessionSettings {
        var settings = SessionSettings()
        settings.idleTimeout = .milliseconds(Int64(configuration.session.idleTimeoutSeconds * 1000))
        settings.countdown = .milliseconds(Int64(configuration.session.countdownSeconds * 1000))
        settings.printWait = .milliseconds(Int64(configuration.session.printWaitSeconds * 1000))
        settings.divisionCode = configuration.kiosk.divisionCode
        settings.kioskNumber = configuration.kiosk.number
        settings.statusURL = configuration.session.statusURL
        settings.queryServices = configuration.session.queryServices
        // The platform's signed list, once one was installed, stands over the configuration's.
        if let folder = BundleShelf(stateDirectory: configuration.paths.stateDir).current(.services),
            let services = try? QueryService.services(inBundle: folder)
        {
            settings.queryServices = services
        }
        settings.materialCapture = configuration.session.materialCapture
        settings.openingHours = configuration.openingHours
        settings.identitySimulated = configuration.devices.contains { $0.kind == .idCardReader && configuration.isSimulated($0) }
        // The loader refused unknown zones; the default stands for configurations built in code.
        settings.timeZone = TimeZone(identifier: configuration.kiosk.timeZone) ?? settings.timeZone
        let printer =
            configuration.devices.first { $0.id == configuration.session.receiptPrinter }
            ?? configuration.devices.first { $0.kind == .receiptPrinter }
            ?? configuration.devices.first { $0.kind == .printer }
        settings.receiptPrinter = printer?.id
        settings.receiptPaper = printer?.kind == .printer ? .a4 : .receipt80
        return settings
    }

    static func loadSharedData(_ path: String?, logger: Logger) -> SharedDataFile? {
        guard let path else { return nil }
        do {
            return try SharedDataFile.load(path: path)
        } catch {
            logger.warning("Shared data file not loaded; forms are prefilled from the card only", metadata: ["problem": "\(error)"])
            return nil
        }
    }

    private func prepareFolders() throws {
        let fileManager = FileManager.default
        for (folder, mode) in [
            (configuration.paths.stateDir, 0o750), ((configuration.paths.databasePath as NSString).deletingLastPathComponent, 0o750),
            ((configuration.paths.adminSocket as NSString).deletingLastPathComponent, 0o755),
        ] {
            do {
                try fileManager.createDirectory(atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: mode])
            } catch {
                throw DaemonError(.folders, "cannot create \(folder): \(error.localizedDescription); check the paths in the configuration")
            }
            guard access(folder, W_OK) == 0 else {
                throw DaemonError(.folders, "\(folder) is not writable by this user; check its owner or the paths in the configuration")
            }
        }
    }

    /// A socket file left by a daemon that died is removed; one that answers belongs to a
    /// running daemon, and starting a second one would steal its devices.
    static func removeStaleSocket(at path: String) throws {
        guard FileManager.default.fileExists(atPath: path) else { return }
        if UnixSocket.canConnect(to: path) {
            throw DaemonError(.alreadyRunning, "another kioskd is already running (its admin socket \(path) answers)")
        }
        try? FileManager.default.removeItem(atPath: path)
    }

    static func secureSocket(at path: String, group: String?, logger: Logger) {
        var groupID = gid_t(bitPattern: -1)
        if let group {
            if let entry = getgrnam(group) {
                groupID = entry.pointee.gr_gid
            } else {
                logger.warning("Admin group not found; the admin socket keeps the daemon's group", metadata: ["group": "\(group)"])
            }
        }
        if chown(path, uid_t(bitPattern: -1), groupID) != 0 && group != nil {
            logger.warning("Admin socket group could not be set", metadata: ["errno": "\(errno)"])
        }
        if chmod(path, 0o660) != 0 {
            logger.error("Admin socket mode could not be set to 0660", metadata: ["errno": "\(errno)"])
        }
    }
}
