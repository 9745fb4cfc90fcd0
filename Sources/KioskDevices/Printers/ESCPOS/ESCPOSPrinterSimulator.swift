import Dispatch
import Foundation
import KioskCore
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// A simulated ESC/POS receipt printer on a pseudo-terminal: the kiosk opens
/// ``devicePath`` as it would open `/dev/usb/lp0`; the simulator records every byte, parses
/// the commands, and answers `DLE EOT` requests from its current condition (paper near end,
/// paper out, cover open, cutter jammed...), or stays silent when muted. It answers a
/// `GS ( H` process-ID request only once it has "printed" what came before (``printingTime``
/// later, and not while it cannot print), as a model with that reply does.
public final class ESCPOSPrinterSimulator: Sendable {
    /// The path of the pty's device end (`/dev/pts/N`) for the kiosk to open.
    public let devicePath: String
    /// The encoding used to read text back.
    public let encoding: PrinterTextEncoding

    private struct State {
        var status = ESCPOSStatus()
        var muted = false
        var received: [UInt8] = []
        var commands: [ESCPOSCommand] = []
        var parser = ESCPOSStreamParser()
        var answered = 0
        var stopRequested = false
        /// Process-ID requests waiting for the printing before them to finish.
        var markers: [(id: [UInt8], due: ContinuousClock.Instant)] = []
        var printingTime: Duration = .milliseconds(100)
        var markersAnswered = 0
        /// The paper runs out as the next job arrives, before any of it is printed.
        var paperRunsOutDuringNextJob = false
    }

    // The mutex guards what the simulator has seen and the condition it is in.
    private let state = Mutex(State())
    private let controller: Int32
    // Held open so the pty pair survives the kiosk closing and reopening its end.
    private let deviceEnd: Int32

    /// Creates the pty pair. Nothing is answered until ``run()`` is running.
    public init(encoding: String = "GB18030") throws(ESCPOSError) {
        self.encoding = try PrinterTextEncoding(encoding)
        guard let pty = PseudoTerminalCalls.load() else {
            throw ESCPOSError(.io, "the C library offers no pseudo-terminals")
        }
        let controller = pty.openpt(O_RDWR | O_NOCTTY | O_CLOEXEC)
        guard controller >= 0, pty.grantpt(controller) == 0, pty.unlockpt(controller) == 0 else {
            throw ESCPOSError(.io, "cannot create a pseudo-terminal: \(String(cString: strerror(errno)))")
        }
        var name = [CChar](repeating: 0, count: 128)
        guard pty.ptsname(controller, &name, name.count) == 0 else {
            close(controller)
            throw ESCPOSError(.io, "cannot name the pseudo-terminal")
        }
        let path = String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        let deviceEnd = open(path, O_RDWR | O_NOCTTY | O_CLOEXEC)
        guard deviceEnd >= 0 else {
            close(controller)
            throw ESCPOSError(.io, "cannot open \(path)")
        }
        // Raw: the line discipline must not echo, translate newlines or eat control bytes.
        var settings = termios()
        tcgetattr(deviceEnd, &settings)
        cfmakeraw(&settings)
        tcsetattr(deviceEnd, TCSANOW, &settings)
        self.controller = controller
        self.deviceEnd = deviceEnd
        self.devicePath = path
    }

    deinit {
        close(controller)
        close(deviceEnd)
    }

    /// Changes the printer's condition (`$0.paperOut = true`); the next poll sees it.
    public func set(_ change: (inout ESCPOSStatus) -> Void) {
        state.withLock { change(&$0.status) }
    }

    /// Stops (or resumes) answering status requests, like a printer whose USB link hangs.
    public func mute(_ muted: Bool) { state.withLock { $0.muted = muted } }

    /// How long a job takes to come out (before its process-ID answer).
    public func setPrintingTime(_ duration: Duration) { state.withLock { $0.printingTime = duration } }

    /// Makes the paper run out as the next job arrives, so the job is held unprinted until the
    /// printer is refilled (``set(_:)``). Set by the firmware when the job's process-ID request
    /// arrives, it never races the job's own timing as a change made from outside would.
    public func runOutOfPaperDuringNextJob() { state.withLock { $0.paperRunsOutDuringNextJob = true } }

    /// How many process-ID requests were answered (jobs reported printed).
    public var jobsReportedPrinted: Int { state.withLock { $0.markersAnswered } }

    /// The current condition.
    public var status: ESCPOSStatus { state.withLock { $0.status } }
    /// Every byte received.
    public var received: [UInt8] { state.withLock { $0.received } }
    /// Every command received.
    public var commands: [ESCPOSCommand] { state.withLock { $0.commands } }
    /// How many status requests were answered.
    public var statusRequestsAnswered: Int { state.withLock { $0.answered } }

    /// The text printed, decoded from the printer's encoding, with line feeds.
    public var printedText: String {
        var text = ""
        for command in commands {
            switch command {
            case let .text(bytes): text += (try? encoding.decode(bytes)) ?? "\u{FFFD}"
            case .lineFeed: text += "\n"
            default: break
            }
        }
        return text
    }

    /// The QR codes stored for printing, as text.
    public var qrCodes: [String] {
        commands.compactMap { if case let .qrStore(data) = $0 { String(decoding: data, as: UTF8.self) } else { nil } }
    }

    /// The number of cuts.
    public var cuts: Int { commands.filter { if case .cut = $0 { true } else { false } }.count }

    /// Forgets what was received (between test steps).
    public func clearReceived() {
        state.withLock {
            $0.received = []
            $0.commands = []
        }
    }

    /// Reads and answers until the task is cancelled.
    ///
    /// The serving loop runs on a thread of its own, like a printer's firmware: answers never
    /// wait for the test's or the daemon's tasks, nor for a shared dispatch pool, to be scheduled.
    public func run() async throws {
        state.withLock { $0.stopRequested = false }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let firmware = Thread { [self] in
                    serve()
                    continuation.resume()
                }
                firmware.name = "escpos-simulator"
                firmware.start()
            }
        } onCancel: {
            state.withLock { $0.stopRequested = true }
        }
        throw CancellationError()
    }

    private func serve() {
        var buffer = [UInt8](repeating: 0, count: 65536)
        while !state.withLock({ $0.stopRequested }) {
            answerPrintedMarkers()
            var request = pollfd(fd: controller, events: Int16(POLLIN), revents: 0)
            // A quiet printer sleeps: 250 ms bounds how long a stop waits, not how fast it
            // answers; while a job prints it wakes when the job is due.
            let waiting = state.withLock { $0.markers.isEmpty } ? 250 : 10
            guard poll(&request, 1, Int32(waiting)) > 0 else { continue }
            let count = buffer.withUnsafeMutableBytes { read(controller, $0.baseAddress, $0.count) }
            guard count > 0 else { continue }
            let bytes = Array(buffer[..<count])
            let answers: [UInt8] = state.withLock { state in
                state.received += bytes
                let commands = state.parser.feed(bytes)
                state.commands += commands
                var answers: [UInt8] = []
                for command in commands {
                    switch command {
                    case let .statusRequest(n):
                        // Real time: answered at once, whatever is still in the buffer.
                        guard !state.muted, let request = ESCPOSStatusRequest(rawValue: n) else { continue }
                        answers.append(state.status.answer(to: request))
                        state.answered += 1
                    case let .processIDRequest(id):
                        state.markers.append((id, ContinuousClock.now + state.printingTime))
                        if state.paperRunsOutDuringNextJob {
                            state.paperRunsOutDuringNextJob = false
                            state.status.paperOut = true
                            state.status.stoppedByPaperEnd = true
                            state.status.offline = true
                        }
                    default:
                        break
                    }
                }
                return answers
            }
            if !answers.isEmpty {
                _ = answers.withUnsafeBytes { write(controller, $0.baseAddress, $0.count) }
            }
        }
    }
}

extension ESCPOSPrinterSimulator {
    /// Answers the process-ID requests whose printing is done: due, and the printer able to
    /// print (paper in, cover shut). A printer out of paper holds them until it is refilled.
    fileprivate func answerPrintedMarkers() {
        let answers: [UInt8] = state.withLock { state in
            guard state.status.device.state.isUsable else { return [] }
            let now = ContinuousClock.now
            let due = state.markers.filter { $0.due <= now }
            state.markers.removeAll { $0.due <= now }
            state.markersAnswered += due.count
            return due.flatMap { [0x37, 0x22] + $0.id + [0x00] }
        }
        if !answers.isEmpty {
            _ = answers.withUnsafeBytes { write(controller, $0.baseAddress, $0.count) }
        }
    }
}

/// The pseudo-terminal calls of the C library. Swift's Glibc module hides them behind
/// `_XOPEN_SOURCE`, so they are looked up by name in the already loaded C library.
private struct PseudoTerminalCalls {
    let openpt: @convention(c) (Int32) -> Int32
    let grantpt: @convention(c) (Int32) -> Int32
    let unlockpt: @convention(c) (Int32) -> Int32
    let ptsname: @convention(c) (Int32, UnsafeMutablePointer<CChar>?, Int) -> Int32

    static func load() -> PseudoTerminalCalls? {
        guard let library = dlopen(nil, RTLD_NOW),
            let openpt = dlsym(library, "posix_openpt"), let grantpt = dlsym(library, "grantpt"),
            let unlockpt = dlsym(library, "unlockpt"), let ptsname = dlsym(library, "ptsname_r")
        else { return nil }
        return PseudoTerminalCalls(
            openpt: unsafeBitCast(openpt, to: (@convention(c) (Int32) -> Int32).self),
            grantpt: unsafeBitCast(grantpt, to: (@convention(c) (Int32) -> Int32).self),
            unlockpt: unsafeBitCast(unlockpt, to: (@convention(c) (Int32) -> Int32).self),
            ptsname: unsafeBitCast(ptsname, to: (@convention(c) (Int32, UnsafeMutablePointer<CChar>?, Int) -> Int32).self))
    }
}
