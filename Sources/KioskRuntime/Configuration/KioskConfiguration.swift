import Foundation
import KioskDevices
import KioskFiles

/// The daemon's configuration: one YAML file (`/etc/kiosk/kiosk.yaml` by default).
///
/// Every path is configurable so that tests and `kioskd demo` run unprivileged in a folder
/// of their own. Keys are snake_case in the file.
public struct KioskConfiguration: Sendable, Equatable {
    /// The default location of the configuration file.
    public static let defaultPath = "/etc/kiosk/kiosk.yaml"

    public struct Kiosk: Sendable, Equatable {
        /// This kiosk's id on the platform (assigned at enrolment).
        public var id: String = "unenrolled"
        /// The site, for technicians (`某某县政务服务中心 1 号机`).
        public var site: String?
    }

    public struct Paths: Sendable, Equatable {
        public var stateDir: String = "/var/lib/kiosk"
        public var adminSocket: String = "/run/kiosk/admin.sock"
        /// Group owning the admin socket (mode 0660); `nil` keeps the daemon's group.
        public var adminGroup: String? = "kiosk"
        public var profilesDir: String = "/usr/share/kiosk/devices"
        /// The database file; by default `kiosk.db` in the state folder.
        public var database: String?

        public var databasePath: String { database ?? (stateDir as NSString).appendingPathComponent("kiosk.db") }
    }

    public struct API: Sendable, Equatable {
        /// Loopback only: the citizen's browser runs on this machine.
        public var host: String = "127.0.0.1"
        /// 0 picks a free port (tests); the port in use is reported in the status and logs.
        public var port: Int = 8080
    }

    public struct Logging: Sendable, Equatable {
        public var level: String = "info"
    }

    public struct Lifecycle: Sendable, Equatable {
        /// How long a graceful stop may take before remaining work is cancelled.
        public var shutdownTimeoutSeconds: Double = 10
    }

    /// One configured device.
    public struct Device: Sendable, Equatable {
        public var id: DeviceID
        public var kind: DeviceKind
        /// A profile name from the profiles folder (file name without `.yaml`).
        public var profile: String?
        /// A device path (`/dev/ttyUSB0`, `/dev/input/event3`), when not found by USB ids.
        public var path: String?
        /// A CUPS queue, for printers.
        public var queue: String?
        /// Use the simulator instead of hardware.
        public var simulate: Bool = false
    }

    public var kiosk = Kiosk()
    public var paths = Paths()
    public var api = API()
    public var logging = Logging()
    public var lifecycle = Lifecycle()
    public var devices: [Device] = []
    /// `--simulate` or `kioskd demo`: every device is simulated, whatever the file says.
    public var simulateAll = false

    public init() {}

    /// Whether a device runs on its simulator.
    public func isSimulated(_ device: Device) -> Bool { simulateAll || device.simulate }
}

extension KioskConfiguration {
    /// The configuration `kioskd demo` runs with: every device simulated, state under the
    /// user's own folder, a free-standing admin socket there too, no root needed.
    public static func demo(home: String, profilesDir: String) -> KioskConfiguration {
        var configuration = KioskConfiguration()
        configuration.kiosk.id = "DEMO-0001"
        configuration.kiosk.site = "演示终端 (simulated devices)"
        let state = (home as NSString).appendingPathComponent(".local/state/kiosk-demo")
        configuration.paths.stateDir = state
        configuration.paths.adminSocket = (state as NSString).appendingPathComponent("admin.sock")
        configuration.paths.adminGroup = nil
        configuration.paths.profilesDir = profilesDir
        configuration.simulateAll = true
        configuration.devices = [
            Device(id: "idcard", kind: .idCardReader, simulate: true),
            Device(id: "printer", kind: .printer, queue: "kiosk-a4", simulate: true),
            Device(id: "receipt", kind: .receiptPrinter, simulate: true),
            Device(id: "touch", kind: .touchScreen, simulate: true),
        ]
        return configuration
    }
}
