import KioskCore
import Testing

@testable import KioskDevices

@Suite("CUPS printer-state and printer-state-reasons mapped to the device model")
struct PrinterConditionTests {
    @Test(
        "keywords give the state, the fault code and the recommended action",
        arguments: [
            (IPPPrinterState.idle, ["none"], DeviceState.online, String?.none, RecommendedAction?.none),
            (.processing, ["none"], .busy, nil, nil),
            (.stopped, ["media-empty-error"], .userError, "media-empty", .clear),
            // cupsd relays a remote printer's paper-out as a warning while the job waits.
            (
                .processing, ["cups-waiting-for-job-completed", "media-empty-warning", "media-needed-warning"], .userError, "media-empty",
                .clear
            ),
            (.idle, ["media-empty-report"], .userError, "media-empty", .clear),
            (.stopped, ["media-jam-error", "media-empty-error"], .userError, "media-jam", .clear),
            (.stopped, ["cover-open"], .userError, "cover-open", .clear),
            (.stopped, ["door-open-error"], .userError, "door-open", .clear),
            (.stopped, ["toner-empty-error"], .userError, "toner-empty", .clear),
            (.stopped, ["marker-supply-empty-error"], .userError, "marker-supply-empty", .clear),
            (.idle, ["media-low-report"], .online, "media-low", .clear),
            (.idle, ["toner-low-warning"], .online, "toner-low", .clear),
            (.processing, ["offline-report"], .offline, "offline", .suspend),
            (.stopped, ["paused"], .offline, "paused", .reset),
            (.stopped, ["spool-area-full"], .hardwareError, "spool-area-full", .maintenance),
            (.stopped, ["cups-missing-filter-warning"], .hardwareError, "cups-missing-filter", .configuration),
            (.stopped, ["some-new-vendor-thing-error"], .hardwareError, "some-new-vendor-thing", .maintenance),
            (.idle, ["some-new-vendor-thing-report"], .online, nil, nil),
            (.stopped, ["none"], .hardwareError, "stopped", .maintenance),
        ])
    func mapping(
        state: IPPPrinterState, reasons: [String], expected: DeviceState, code: String?, action: RecommendedAction?
    ) {
        let device = PrinterCondition(state: state, reasons: reasons).device
        #expect(device.state == expected)
        #expect(device.fault?.code == code)
        #expect(device.fault?.action == action)
    }

    @Test("a queue that rejects jobs is offline until someone accepts jobs again")
    func notAccepting() {
        let device = PrinterCondition(state: .idle, reasons: ["none"], acceptingJobs: false).device
        #expect(device.state == .offline)
        #expect(device.fault?.code == "not-accepting-jobs")
        #expect(device.fault?.action == .reset)
    }

    @Test(
        "severity suffixes are split off",
        arguments: [
            ("media-empty-error", "media-empty", PrinterStateReason.Severity?.some(.error)),
            ("toner-low-warning", "toner-low", .warning),
            ("offline-report", "offline", .report),
            ("cover-open", "cover-open", nil),
        ])
    func suffixes(keyword: String, reason: String, severity: PrinterStateReason.Severity?) {
        let parsed = PrinterStateReason(keyword: keyword)
        #expect(parsed.reason == reason)
        #expect(parsed.severity == severity)
    }
}
