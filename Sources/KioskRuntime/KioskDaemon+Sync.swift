import Foundation
import KioskAPI
import KioskConfig
import KioskCore
import KioskDevices
import KioskStore
import KioskSync
import KioskTrust
import Logging

extension KioskDaemon {
    /// The relay to the platform, when one is configured and the kiosk is enrolled (or, on a
    /// loopback test platform, has a bearer credential file).
    static func makeRelay(
        _ configuration: KioskConfiguration, store: CaseStore, registry: DeviceRegistry, startedAt: Date, logger: Logger
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
                        software: KioskVersion.current, catalog: nil, calendar: nil, uptimeSeconds: Date().timeIntervalSince(startedAt))
                })
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
}
