import Foundation
import KioskAPI
import KioskCore
import KioskDocuments

/// How the citizen's session is set up on this site (from `kiosk.yaml`).
public struct SessionSettings: Sendable, Equatable {
    /// Without a touch or an action for this long, the session is wiped.
    public var idleTimeout: Duration = .seconds(120)
    /// The countdown shown before the wipe.
    public var countdown: Duration = .seconds(30)
    /// How long the citizen waits for the receipt before it is shown on screen instead.
    public var printWait: Duration = .seconds(8)
    /// The printer receipts go to, and its paper.
    public var receiptPrinter: DeviceID?
    public var receiptPaper: PaperSize = .receipt80
    /// 6-digit administrative division code and this kiosk's number in it (receipt numbers).
    public var divisionCode: Int = 410_721
    public var kioskNumber: Int = 1
    /// The status address in the receipt's QR code; `{number}` is replaced by the receipt number.
    public var statusURL = "https://zwfw.example.gov.cn/case/{number}"
    /// The kiosk's civil day (receipt numbers, promised dates): China Standard Time unless
    /// the site says otherwise.
    public var timeZone = TimeZone(identifier: "Asia/Shanghai")!
    /// The identity comes from a simulated card reader: every case is marked so, here and at
    /// the platform, and can never pass for a real applicant's.
    public var identitySimulated = false
    /// Shared data and earlier applications reachable right now (offline: none).
    public var platformOnline = false
    /// "Query and print" services (社保参保证明...): answered by the platform, so usable only online.
    public var queryServices: [QueryService] = QueryService.defaults
    /// When the hall is open (`nil`: around the clock); outside them the attract screen says
    /// the hall is closed, with its hours.
    public var openingHours: OpeningHours?
    /// The kiosk can take physical materials (a scanner, camera or deposit box). No device kind
    /// does yet, so no kiosk records a material as received: each is deferred under the pledge
    /// or handed in at the window, with its due date.
    public var materialCapture = false

    public init() {}
}
