import Foundation
import KioskAPI
import KioskCore
import KioskDevices
import KioskFiles

/// The daemon's configuration: `/etc/kiosk/kiosk.yaml` by default, with the site profile
/// `site.yaml` beside it read over it when present (``ConfigurationLoader/siteProfilePath(beside:)``).
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
        /// Where the kiosk stands (address and spot in the hall), for technicians and the platform.
        public var location: String?
        /// The county's 6-digit administrative division code (first part of receipt numbers).
        public var divisionCode: Int = 410_721
        /// This kiosk's number in the county, 1–9999 (in receipt numbers).
        public var number: Int = 1
        /// The kiosk's civil day (receipt numbers, promised dates): an IANA time zone name.
        public var timeZone: String = "Asia/Shanghai"
    }

    /// The citizen's session on this site.
    public struct Session: Sendable, Equatable {
        public var idleTimeoutSeconds: Double = 120
        public var countdownSeconds: Double = 30
        /// How long the citizen waits for the receipt before it is shown on screen instead.
        public var printWaitSeconds: Double = 8
        /// How long a technician's maintenance mode lasts at most before it ends by itself.
        public var maintenanceMinutes: Double = 30
        /// The device receipts print on; by default the first receipt printer, else the first A4 printer.
        public var receiptPrinter: DeviceID?
        /// The status address in the receipt's QR code; `{number}` becomes the receipt number.
        public var statusURL = "https://zwfw.example.gov.cn/case/{number}"
        /// "Query and print" services offered on the attract screen (answered by the platform).
        public var queryServices = QueryService.defaults
        /// The site has a capture device (a scanner or a deposit box watched by staff) that takes
        /// physical materials: only then can a citizen hand one in here (`provided`).
        public var materialCapture = false
    }

    public struct Paths: Sendable, Equatable {
        public var stateDir: String = "/var/lib/kiosk"
        public var adminSocket: String = "/run/kiosk/admin.sock"
        /// Group owning the admin socket (mode 0660); `nil` keeps the daemon's group.
        public var adminGroup: String? = "kiosk"
        public var profilesDir: String = "/usr/share/kiosk/devices"
        /// The database file; by default `kiosk.db` in the state folder.
        public var database: String?
        /// The bundle catalog (one YAML per bundle plus dictionaries).
        public var catalogDir: String = "/var/lib/kiosk/catalog"
        /// The working-day calendar (one YAML per year).
        public var calendarDir: String = "/var/lib/kiosk/calendar"
        /// The document templates (receipt, notice, pledge).
        public var templatesDir: String = "/usr/share/kiosk/templates"
        /// The citizen's screen (HTML, CSS, JavaScript).
        public var screenDir: String = "/usr/share/kiosk/screen"
        /// Shared data for prefilling forms offline (demo and tests); none on a production kiosk.
        public var sharedData: String?

        public var databasePath: String { database ?? (stateDir as NSString).appendingPathComponent("kiosk.db") }
    }

    public struct API: Sendable, Equatable {
        /// Loopback only: the citizen's browser runs on this machine.
        public var host: String = "127.0.0.1"
        /// 0 picks a free port (tests); the port in use is reported in the status and logs.
        public var port: Int = 8080
        /// A connection that sends nothing for this long, mid-request or between requests, is
        /// closed: a stalled or trickling client cannot hold the API.
        public var readTimeoutSeconds: Double = 15
        /// Connections served at once; more wait to be accepted (the screen needs a handful).
        public var maxConnections = 64
    }

    public struct Logging: Sendable, Equatable {
        public var level: String = "info"
    }

    public struct Lifecycle: Sendable, Equatable {
        /// How long a graceful stop may take before remaining work is cancelled.
        public var shutdownTimeoutSeconds: Double = 10
        /// Below this much free space in the state folder the kiosk takes no new application
        /// (a case half-written for want of space helps nobody).
        public var minFreeMegabytes: Double = 64
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

    /// The platform this kiosk syncs with; without `platform` the kiosk works offline only.
    public struct Sync: Sendable, Equatable {
        /// The platform's address (https://, or http:// on loopback only).
        public var platform: String?
        /// A file holding this kiosk's credential (mode 0600, made by `kiosk-platform kiosk add`).
        public var credentialFile: String?
        public var intervalSeconds: Double = 5
        public var heartbeatSeconds: Double = 60
        public var batchSize = 50
        /// One request's time limit: a link that stops answering counts as down after it.
        public var requestTimeoutSeconds: Double = 30
        /// Offline policy: past either limit the kiosk takes no new applications.
        public var maxHoursSinceSync: Double = 72
        public var maxUnsentCases = 500
        /// Days the kiosk may serve its catalogue after the platform announced a newer one.
        public var maxCatalogDaysBehind: Double = 30
        /// A public sealing key (`{"id", "publicKey"}`) for a kiosk that is not enrolled (a lab,
        /// the tests). Ignored once enrolled: then only the platform's keys count.
        public var sealingKeyFile: String?
        /// How long a case's sealed part stays after the platform acknowledged it (MOSIP: 1 day).
        public var retentionHours: Double = 24
    }

    public var kiosk = Kiosk()
    public var sync = Sync()
    public var paths = Paths()
    public var api = API()
    public var logging = Logging()
    public var lifecycle = Lifecycle()
    public var session = Session()
    public var devices: [Device] = []
    /// How the touch panel is mounted and calibrated on this site (rotation, matrix, grab).
    public var touch = TouchSiteSettings()
    /// When the hall is open (`opening_hours`); `nil`: the site states none (open around the clock).
    public var openingHours: OpeningHours?
    /// The site profile that was read over kiosk.yaml (`site.yaml` beside it), if any.
    public var siteProfilePath: String?
    /// `--simulate` or `kioskd demo`: every device is simulated, whatever the file says.
    public var simulateAll = false
    /// `kioskd demo` only: the demo routes (placing a sample card, tapping the simulated touch
    /// panel) are served. Never under `kioskd run`, whatever is simulated.
    public var demoMode = false

    public init() {}

    /// Whether a device runs on its simulator.
    public func isSimulated(_ device: Device) -> Bool { simulateAll || device.simulate }
}

extension KioskConfiguration {
    /// The configuration `kioskd demo` runs with: every device simulated, state under the
    /// user's own folder, a free-standing admin socket there too, no root needed.
    public static func demo(home: String, profilesDir: String, provisioningDir: String) -> KioskConfiguration {
        var configuration = KioskConfiguration()
        configuration.kiosk.id = "DEMO-0001"
        configuration.kiosk.site = "演示终端 (simulated devices)"
        let state = (home as NSString).appendingPathComponent(".local/state/kiosk-demo")
        configuration.paths.stateDir = state
        configuration.paths.adminSocket = (state as NSString).appendingPathComponent("admin.sock")
        configuration.paths.adminGroup = nil
        configuration.paths.profilesDir = profilesDir
        configuration.paths.catalogDir = (provisioningDir as NSString).appendingPathComponent("catalog")
        configuration.paths.calendarDir = (provisioningDir as NSString).appendingPathComponent("calendar")
        configuration.paths.templatesDir = (provisioningDir as NSString).appendingPathComponent("templates")
        configuration.paths.screenDir = (provisioningDir as NSString).appendingPathComponent("screen")
        configuration.paths.sharedData = (provisioningDir as NSString).appendingPathComponent("examples/shared-data.yaml")
        configuration.simulateAll = true
        configuration.demoMode = true
        configuration.devices = [
            Device(id: "idcard", kind: .idCardReader, simulate: true),
            Device(id: "printer", kind: .printer, queue: "kiosk-a4", simulate: true),
            Device(id: "receipt", kind: .receiptPrinter, simulate: true),
            Device(id: "touch", kind: .touchScreen, simulate: true),
        ]
        return configuration
    }
}
