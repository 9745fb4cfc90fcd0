import KioskCore

/// IPP `printer-state` (RFC 8011 §5.4.11).
public enum IPPPrinterState: Int, Sendable, Codable, CustomStringConvertible {
    case idle = 3
    case processing = 4
    case stopped = 5

    public var description: String {
        switch self {
        case .idle: "idle"
        case .processing: "processing"
        case .stopped: "stopped"
        }
    }
}

/// One `printer-state-reasons` keyword split into its reason and its severity suffix.
public struct PrinterStateReason: Sendable, Hashable, Codable, CustomStringConvertible {
    /// How bad the reason is, from its suffix (RFC 8011 §5.4.12).
    public enum Severity: String, Sendable, Hashable, Codable {
        case error, warning, report
    }

    /// The keyword without its suffix, e.g. `media-empty`.
    public var reason: String
    /// The suffix's severity; `nil` when the printer sent none (CUPS queues often do not).
    public var severity: Severity?

    /// Splits a keyword such as `media-empty-error`.
    public init(keyword: String) {
        let lowered = keyword.lowercased()
        for severity in [Severity.error, .warning, .report] where lowered.hasSuffix("-\(severity.rawValue)") {
            reason = String(lowered.dropLast(severity.rawValue.count + 1))
            self.severity = severity
            return
        }
        reason = lowered
        severity = nil
    }

    public var description: String { severity.map { "\(reason)-\($0.rawValue)" } ?? reason }
}

/// What a printer reports about itself through IPP, reduced to the common device model.
///
/// Known reasons (paper, covers, toner, offline) count whatever their severity suffix, since
/// queues relay a printer's stopping conditions as warnings; unknown ones count only as errors.
/// Only the keywords are used: `printer-state-message` is free text in the printer's language
/// and is never parsed.
public struct PrinterCondition: Sendable, Hashable, Codable {
    public var state: IPPPrinterState
    public var reasons: [PrinterStateReason]
    /// `printer-is-accepting-jobs`.
    public var acceptingJobs: Bool

    public init(state: IPPPrinterState, reasons: [String], acceptingJobs: Bool = true) {
        self.state = state
        self.reasons = reasons.filter { $0 != "none" && !$0.isEmpty }.map(PrinterStateReason.init(keyword:))
        self.acceptingJobs = acceptingJobs
    }

    /// What a known reason means for the kiosk.
    struct Meaning {
        /// Lower is more urgent: the most urgent reason becomes the device's fault.
        let rank: Int
        /// The state while the reason is an error; `nil` for reasons that are warnings by nature.
        let state: DeviceState?
        let action: RecommendedAction
        let message: String
    }

    static let meanings: [String: Meaning] = [
        "media-jam": Meaning(rank: 0, state: .userError, action: .clear, message: "paper jam: open the printer and remove the paper"),
        "media-empty": Meaning(rank: 1, state: .userError, action: .clear, message: "paper out: refill the paper"),
        "media-needed": Meaning(rank: 1, state: .userError, action: .clear, message: "paper needed: load paper"),
        "input-tray-missing": Meaning(rank: 2, state: .userError, action: .clear, message: "paper tray missing: put the tray back"),
        "cover-open": Meaning(rank: 2, state: .userError, action: .clear, message: "cover open: close the printer cover"),
        "door-open": Meaning(rank: 2, state: .userError, action: .clear, message: "door open: close the printer door"),
        "interlock-open": Meaning(rank: 2, state: .userError, action: .clear, message: "interlock open: close the printer"),
        "toner-empty": Meaning(rank: 3, state: .userError, action: .clear, message: "toner empty: replace the toner cartridge"),
        "marker-supply-empty": Meaning(rank: 3, state: .userError, action: .clear, message: "ink or toner empty: replace the cartridge"),
        "marker-waste-full": Meaning(rank: 3, state: .userError, action: .clear, message: "waste toner full: replace the waste container"),
        "spool-area-full": Meaning(rank: 4, state: .hardwareError, action: .maintenance, message: "the print spool is full"),
        "cups-missing-filter": Meaning(
            rank: 5, state: .hardwareError, action: .configuration, message: "the queue lacks a filter for this document format"),
        "cups-insecure-filter": Meaning(
            rank: 5, state: .hardwareError, action: .configuration, message: "a filter of the queue has unsafe permissions"),
        "offline": Meaning(rank: 6, state: .offline, action: .suspend, message: "the printer does not answer"),
        "shutdown": Meaning(rank: 6, state: .offline, action: .suspend, message: "the printer is shut down"),
        "connecting-to-device": Meaning(rank: 7, state: .offline, action: .suspend, message: "connecting to the printer"),
        "timed-out": Meaning(rank: 7, state: .offline, action: .suspend, message: "the printer stopped answering"),
        "paused": Meaning(rank: 8, state: .offline, action: .reset, message: "the print queue is paused: enable it (cupsenable)"),
        "fuser-under-temp": Meaning(rank: 9, state: nil, action: .suspend, message: "the printer is warming up"),
        "media-low": Meaning(rank: 10, state: nil, action: .clear, message: "paper low: refill soon"),
        "toner-low": Meaning(rank: 10, state: nil, action: .clear, message: "toner low: replace soon"),
        "marker-supply-low": Meaning(rank: 10, state: nil, action: .clear, message: "ink or toner low: replace soon"),
        "marker-waste-almost-full": Meaning(rank: 10, state: nil, action: .clear, message: "waste toner almost full"),
    ]

    /// Reasons that are transitions or bookkeeping, never faults.
    static let ignored: Set<String> = [
        "moving-to-paused", "stopping", "cups-waiting-for-job-completed", "other", "none",
    ]

    /// The device state and fault this condition means, with the recommended action.
    public var device: (state: DeviceState, fault: DeviceFault?) {
        var best: (rank: Int, reason: PrinterStateReason, meaning: Meaning)?
        for reason in reasons where !Self.ignored.contains(reason.reason) && !reason.reason.hasPrefix("cups-remote-") {
            let meaning: Meaning
            if let known = Self.meanings[reason.reason] {
                meaning = known
            } else if reason.severity == .error {
                // A reason we do not know that the printer calls an error still stops it.
                meaning = Meaning(rank: 11, state: .hardwareError, action: .maintenance, message: "the printer reports an error")
            } else {
                continue
            }
            // A known reason means what it says whatever its suffix: cupsd relays a remote
            // printer's `media-empty` as `media-empty-warning` while the job waits for paper.
            let effective = meaning
            if let current = best, current.rank <= effective.rank { continue }
            best = (effective.rank, reason, effective)
        }
        if let best, let state = best.meaning.state {
            return (state, DeviceFault(code: best.reason.reason, message: best.meaning.message, action: best.meaning.action))
        }
        let warning = best.map {
            DeviceFault(code: $0.reason.reason, message: $0.meaning.message, action: $0.meaning.action)
        }
        if !acceptingJobs {
            return (
                .offline,
                DeviceFault(code: "not-accepting-jobs", message: "the queue rejects jobs: accept them (cupsaccept)", action: .reset)
            )
        }
        switch state {
        case .idle: return (.online, warning)
        case .processing: return (.busy, warning)
        case .stopped:
            return (.hardwareError, warning ?? DeviceFault(code: "stopped", message: "the printer has stopped", action: .maintenance))
        }
    }
}
