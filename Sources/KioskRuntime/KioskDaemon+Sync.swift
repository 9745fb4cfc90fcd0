import Foundation
import KioskAPI
import KioskAudit
import KioskCatalog
import KioskConfig
import KioskCore
import KioskDevices
import KioskFiles
import KioskSession
import KioskStore
import KioskSync
import KioskTrust
import Logging

extension KioskDaemon {
    /// The relay to the platform, when one is configured and the kiosk is enrolled (or, on a
    /// loopback test platform, has a bearer credential file).
    static func makeRelay(
        _ configuration: KioskConfiguration, store: CaseStore, registry: DeviceRegistry, startedAt: Date, logger: Logger,
        sealingKey: @escaping @Sendable () async -> String? = { nil },
        onBundle: @escaping @Sendable (BundleContent.Kind, URL, Int) async -> Void = { _, _, _ in },
        onChanges: @escaping @Sendable () async -> Void = {}
    ) throws(DaemonError) -> SyncRelay? {
        guard let address = configuration.sync.platform, let url = URL(string: address) else { return nil }
        var settings: SyncSettings
        if let path = configuration.sync.credentialFile {
            settings = SyncSettings(platform: url, credential: try bearerCredential(path))
        } else {
            // The enrolled identity: mutual TLS. Not enrolled yet: the kiosk works offline, and
            // the doctor says how to enrol.
            let identity = IdentityFolder(stateDirectory: configuration.paths.stateDir)
            guard (try? identity.enrolled()) != nil else {
                logger.error(
                    "Not enrolled: cases stay on this kiosk until it is",
                    metadata: ["hint": "kioskctl enroll --platform \(address) --token TOKEN, then restart kioskd"])
                return nil
            }
            settings = SyncSettings(platform: url, identity: identity)
        }
        settings.batchSize = configuration.sync.batchSize
        settings.interval = .milliseconds(Int64(configuration.sync.intervalSeconds * 1000))
        settings.heartbeatInterval = .milliseconds(Int64(configuration.sync.heartbeatSeconds * 1000))
        settings.requestTimeout = .milliseconds(Int64(configuration.sync.requestTimeoutSeconds * 1000))
        settings.retention = configuration.sync.retentionHours * 3600
        settings.audit = AuditTrail(stateDirectory: configuration.paths.stateDir)
        let zone = TimeZone(identifier: configuration.kiosk.timeZone) ?? TimeZone(identifier: "Asia/Shanghai")!
        do {
            return try SyncRelay(
                settings: settings, store: store, timeZone: zone, logger: logger,
                facts: {
                    let devices = await registry.all()
                    return HeartbeatFacts(
                        devices: devices.map { device in
                            HeartbeatFacts.Device(
                                id: device.id.rawValue, kind: device.kind.rawValue, state: device.state.rawValue,
                                fault: device.fault?.message, action: device.fault?.action.rawValue,
                                counters: Dictionary(uniqueKeysWithValues: device.counters.map { ($0.key.rawValue, $0.value) }))
                        },
                        software: KioskVersion.current, catalog: nil, calendar: nil, uptimeSeconds: Date().timeIntervalSince(startedAt),
                        sealingKey: await sealingKey())
                }, onBundle: onBundle, onChanges: onChanges)
        } catch {
            throw DaemonError(.sync, "the relay to \(address) cannot start: \(error)")
        }
    }

    /// A bearer credential file must be readable by kioskd only: a credential others can read
    /// is a kiosk others can impersonate.
    private static func bearerCredential(_ path: String) throws(DaemonError) -> String {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
            let data = FileManager.default.contents(atPath: path)
        else {
            throw DaemonError(
                .sync, "the platform credential \(path) cannot be read: make it with 'kiosk-platform kiosk add NAME' and install it there")
        }
        if let mode = attributes[.posixPermissions] as? Int, mode & 0o077 != 0 {
            throw DaemonError(.sync, "the platform credential \(path) is readable by others (mode \(String(mode, radix: 8))): chmod 600 it")
        }
        let credential = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard !credential.isEmpty else { throw DaemonError(.sync, "the platform credential \(path) is empty") }
        return credential
    }

    /// The catalogue and calendar folders in use: the signed bundles installed from the
    /// platform when there are, else the configured folders.
    static func bundlePaths(_ configuration: KioskConfiguration) -> KioskConfiguration.Paths {
        var paths = configuration.paths
        let shelf = BundleShelf(stateDirectory: paths.stateDir)
        if let catalog = shelf.current(.catalog) { paths.catalogDir = catalog.path }
        if let calendar = shelf.current(.calendar) { paths.calendarDir = calendar.path }
        return paths
    }

    /// A verified bundle the relay installed: loaded and checked like the configured folders,
    /// then used by every session that starts from now on.
    static func install(
        _ kind: BundleContent.Kind, from folder: URL, version: Int, into session: SessionController, maintenance: MaintenanceDesk,
        logger: Logger
    ) async {
        switch kind {
        case .catalog:
            let loaded = CatalogLoader.load(directory: folder.path)
            guard loaded.problems.isEmpty else {
                logger.error(
                    "Signed catalogue does not load here; the current one stays",
                    metadata: ["version": "\(version)", "problem": "\(loaded.problems.first.map(\.description) ?? "")"])
                return
            }
            await session.install(catalog: loaded.catalog)
        case .calendar:
            guard let calendar = try? CalendarLoader.load(directory: folder.path) else {
                logger.error("Signed calendar does not load here; the current one stays", metadata: ["version": "\(version)"])
                return
            }
            await session.install(calendar: calendar)
        case .sealing:
            do { await session.install(sealingKey: try IdentityFolder.sealingKey(inBundle: folder), origin: "signed bundle") } catch {
                logger.error(
                    "Signed sealing key cannot be used; sealing goes on to the current one", metadata: ["error": "\(error.message)"])
                return
            }
        case .maintenance:
            do { await maintenance.install(tickets: try MaintenanceTicket.tickets(inBundle: folder)) } catch {
                logger.error("Signed maintenance tickets cannot be read; the current ones stay", metadata: ["error": "\(error.message)"])
                return
            }
        case .services:
            do { await session.install(queryServices: try QueryService.services(inBundle: folder)) } catch {
                logger.error("Signed query-service list cannot be read; the current one stays", metadata: ["error": "\(error)"])
                return
            }
        case .configuration:
            return
        }
        logger.notice("Signed bundle in use for new sessions", metadata: ["kind": "\(kind.rawValue)", "version": "\(version)"])
    }
}
