import ArgumentParser
import Dispatch
import Foundation
import Glibc
import KioskAPI
import KioskCore
import KioskDevices
import NIOCore

extension KioskCtl {
    struct Touch: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Find, watch, replay and calibrate the touch screen.",
            subcommands: [List.self, Monitor.self, Replay.self, Calibrate.self]
        )
    }
}

/// Options shared by the touch commands: where profiles are and the site's panel settings.
struct TouchSetupOptions: ParsableArguments {
    @Option(help: "The folder of device profiles (Devices/ in the source tree).")
    var profiles = "Devices"

    @Option(help: "The touch profile to use (file name without .yaml); default: by USB id.")
    var profile: String?

    @Option(help: "How the panel is mounted: 0, 90, 180 or 270 degrees clockwise (overrides the profile).")
    var rotation: Int?

    @Option(help: "Which axes are wired backwards: none, horizontal, vertical, both.")
    var mirror: String?

    @Option(help: "A calibration matrix a,b,c,d,e,f (libinput convention), applied after rotation.")
    var calibration: String?

    func catalog() -> DeviceProfileCatalog { DeviceProfileCatalog.load(directory: profiles) }

    func site() throws -> TouchSiteSettings {
        var site = TouchSiteSettings(profile: profile)
        if let rotation {
            guard let value = PanelRotation(rawValue: rotation) else {
                throw ValidationError("--rotation must be 0, 90, 180 or 270, not \(rotation)")
            }
            site.rotation = value
        }
        if let mirror {
            guard let value = PanelMirror(rawValue: mirror) else {
                throw ValidationError("--mirror must be none, horizontal, vertical or both, not '\(mirror)'")
            }
            site.mirror = value
        }
        if let calibration {
            let values = calibration.split(separator: ",").map { Double($0.trimmingCharacters(in: .whitespaces)) }
            guard values.count == 6, values.allSatisfy({ $0 != nil }) else {
                throw ValidationError("--calibration takes six numbers a,b,c,d,e,f")
            }
            site.calibration = values.compactMap { $0 }
        }
        return site
    }

    /// The profile settings for a device, with the name of the profile used.
    func settings(for device: EvdevDeviceDescription, site: TouchSiteSettings) throws -> (TouchProfileSettings, String) {
        let catalog = catalog()
        guard let profile = try TouchScreenDriver.profile(for: device, site: site, catalog: catalog) else {
            return (TouchProfileSettings(), "generic (no profile)")
        }
        return (try TouchProfileSettings.of(profile), profile.name)
    }
}

/// Printable forms of what the pipeline produces.
struct TouchReport: Encodable {
    struct Line: Encodable {
        var time: Double
        var event: String
        var kind: String
        var fingers: Int?
        var x: Double?
        var y: Double?
        var direction: String?
        var contact: Int?
        var phase: String?
        var filter: String?
    }

    static func line(_ output: TouchOutput, contacts: Bool) -> Line? {
        func seconds(_ time: TouchInstant) -> Double { Double(time.microseconds) / 1_000_000 }
        func round(_ value: Double) -> Double { (value * 1000).rounded() / 1000 }
        switch output {
        case let .gesture(gesture):
            return Line(
                time: seconds(gesture.time), event: "gesture", kind: gesture.kind.rawValue, fingers: gesture.fingers,
                x: round(gesture.point.x), y: round(gesture.point.y), direction: gesture.direction?.rawValue)
        case let .maintenanceRequest(point, time):
            return Line(time: seconds(time), event: "maintenance-request", kind: "technician", x: round(point.x), y: round(point.y))
        case let .contact(change):
            guard contacts else { return nil }
            return Line(
                time: seconds(change.time), event: "contact", kind: change.phase.rawValue, x: round(change.point.x),
                y: round(change.point.y), contact: change.contact, phase: change.phase.rawValue)
        case let .filtered(action, time):
            return Line(time: seconds(time), event: "filtered", kind: action.rawValue, filter: action.rawValue)
        case let .resynchronised(blind, time):
            return Line(time: seconds(time), event: "resync", kind: blind ? "blind" : "from-device")
        }
    }

    static func text(_ line: Line) -> String {
        let time = String(format: "%9.3f", line.time)
        switch line.event {
        case "gesture":
            var text = "\(time)  \(line.kind) \(line.fingers ?? 1) finger\((line.fingers ?? 1) == 1 ? "" : "s")"
            if let direction = line.direction { text += " \(direction)" }
            return text + " at (\(line.x ?? 0), \(line.y ?? 0))"
        case "maintenance-request":
            return "\(time)  MAINTENANCE REQUEST (technician gesture) at (\(line.x ?? 0), \(line.y ?? 0))"
        case "contact":
            return "\(time)    contact \(line.contact ?? 0) \(line.kind) (\(line.x ?? 0), \(line.y ?? 0))"
        case "filtered":
            return "\(time)    filtered: \(line.kind)"
        default:
            return "\(time)    resynchronised after SYN_DROPPED (\(line.kind))"
        }
    }
}

extension KioskCtl.Touch {
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List input devices and say which are touch screens (by capabilities or profile).")

        @OptionGroup var output: OutputOptions
        @OptionGroup var setup: TouchSetupOptions

        @Option(help: "Where the input device nodes are.")
        var devices = "/dev/input"

        struct Entry: Encodable {
            var path: String
            var name: String?
            var usb: String?
            var touchScreen: Bool
            var multitouch: Bool
            var direct: Bool
            var slots: Int?
            var axes: String?
            var profile: String?
            var problem: String?
        }

        func run() async throws {
            let catalog = setup.catalog()
            let found = TouchDeviceDiscovery.scan(directory: devices, catalog: catalog)
            let entries = found.map { item in
                let details = item.details
                let axes = details?.positionAxes.map { "x \($0.x.minimum)...\($0.x.maximum), y \($0.y.minimum)...\($0.y.maximum)" }
                return Entry(
                    path: item.path, name: details?.name, usb: details?.usbID?.description, touchScreen: item.isTouchScreen,
                    multitouch: details?.isMultitouch ?? false, direct: details?.hasProperty(EvdevCode.propertyDirect) ?? false,
                    slots: details.map(\.slotCount), axes: axes, profile: item.profile, problem: item.problem)
            }
            if output.json {
                try output.printJSON(["devices": entries])
                return
            }
            if entries.isEmpty {
                print("No input devices in \(devices).")
                return
            }
            for entry in entries {
                if let problem = entry.problem {
                    print("\(entry.path)  cannot be read: \(problem)")
                    continue
                }
                let kind =
                    entry.touchScreen
                    ? (entry.multitouch ? "TOUCH SCREEN, multi-touch (\(entry.slots ?? 1) fingers)" : "TOUCH SCREEN, single-touch")
                    : "not a touch screen"
                print("\(entry.path)  \(entry.name ?? "?")  [\(entry.usb ?? "not USB")]  \(kind)")
                if entry.touchScreen {
                    print("    axes \(entry.axes ?? "?"), profile \(entry.profile ?? "none (generic settings)")")
                }
            }
            for problem in catalog.problems { print("profile problem: \(problem)") }
        }
    }

    struct Replay: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Replay an evemu recording through the live pipeline and print the taps and gestures.")

        @OptionGroup var output: OutputOptions
        @OptionGroup var setup: TouchSetupOptions

        @Argument(help: "The evemu recording (evemu-record output).")
        var file: String

        @Flag(help: "Turn every filter off (see what the panel really sent).")
        var noFilters = false

        @Option(
            name: .customLong("disable"),
            help: "Turn one filter off: outside-area, too-short, phantom, stuck, debounce (repeatable).")
        var disabled: [String] = []

        @Flag(help: "Also print every contact change.")
        var contacts = false

        @Flag(help: "Resynchronise as if the device could not be asked (a pipe).")
        var blindResync = false

        struct Summary: Encodable {
            var file: String
            var device: String
            var profile: String
            var matrix: [Double]
            var events: Int
            var gestures: [TouchReport.Line]
            var maintenanceRequests: Int
            var filtered: [String: Int]
            var resyncs: Int
            var blindResyncs: Int
        }

        func run() async throws {
            let recording = try EvemuRecording.load(path: file)
            let site = try setup.site()
            var (settings, profileName) = try setup.settings(for: recording.device, site: site)
            if noFilters { settings.filters = .none }
            for name in disabled {
                switch name {
                case "outside-area": settings.filters.activeArea = nil
                case "too-short": settings.filters.minimumContactMilliseconds = 0
                case "phantom": settings.filters.phantom.enabled = false
                case "stuck": settings.filters.stuckContactSeconds = 0
                case "debounce": settings.filters.debounceMilliseconds = 0
                default:
                    throw ValidationError("unknown filter '\(name)'; the filters are outside-area, too-short, phantom, stuck, debounce")
                }
            }
            let configuration = try TouchConfiguration(profile: settings, site: site)
            let result = try TouchReplay.run(recording, configuration: configuration, deviceState: !blindResync)
            let lines = result.outputs.compactMap { TouchReport.line($0, contacts: contacts) }
            let filtered = Dictionary(uniqueKeysWithValues: result.filterCounts.map { ($0.key.rawValue, $0.value) })
            if output.json {
                try output.printJSON(
                    Summary(
                        file: file, device: recording.device.name, profile: profileName, matrix: configuration.matrix.values,
                        events: result.eventsProcessed,
                        gestures: lines.filter { $0.event == "gesture" || $0.event == "maintenance-request" || contacts },
                        maintenanceRequests: result.maintenanceRequests, filtered: filtered, resyncs: result.resyncs.total,
                        blindResyncs: result.resyncs.blind))
                return
            }
            print("\(file): \(recording.device.name), \(result.eventsProcessed) events")
            print("profile \(profileName), matrix \(configuration.matrix)")
            for line in lines { print(TouchReport.text(line)) }
            let counts = filtered.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }
            print("gestures: \(result.gestures.count), maintenance requests: \(result.maintenanceRequests)")
            print("filtered: \(counts.isEmpty ? "nothing" : counts.joined(separator: ", "))")
            if result.resyncs.total > 0 {
                print("resynchronised after SYN_DROPPED: \(result.resyncs.total) (\(result.resyncs.blind) blind)")
            }
            for spot in result.phantomHotspots { print("periodic phantom touches at \(spot)") }
        }
    }

    struct Monitor: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show live touches and gestures from a device (Ctrl-C to stop).")

        @OptionGroup var output: OutputOptions
        @OptionGroup var setup: TouchSetupOptions

        @Argument(help: "The device node, e.g. /dev/input/event5.")
        var device: String

        @Flag(help: "Also print every contact change.")
        var contacts = false

        @Flag(help: "Print the raw evdev events too.")
        var raw = false

        @Flag(help: "Take the panel exclusively while monitoring (EVIOCGRAB).")
        var grab = false

        @Option(help: "A recording whose device header describes the node, when it is not an evdev device (a FIFO).")
        var like: String?

        @Option(help: "Write everything read to this file as an evemu recording.")
        var record: String?

        func run() async throws {
            let node = try EvdevDevice(path: device)
            var described = try node.describe()
            if described == nil, let like { described = try EvemuRecording.load(path: like).device }
            guard let description = described else {
                node.close()
                throw ValidationError("\(device) is not an evdev device; give --like RECORDING to describe it")
            }
            let site = try setup.site()
            let (settings, profileName) = try setup.settings(for: description, site: site)
            let configuration = try TouchConfiguration(profile: settings, site: site)
            let pipeline = try TouchPipeline(device: description, configuration: configuration)
            if grab || configuration.grab { try node.grab() }
            node.useMonotonicClock()
            if !output.json {
                print("\(device): \(description.name), profile \(profileName), matrix \(configuration.matrix)")
                print("Touch the screen; Ctrl-C to stop.")
            }
            let json = output.json
            let showContacts = contacts
            let showRaw = raw
            let keepRecording = record != nil
            let path = device
            // Ctrl-C ends monitoring cleanly, so that --record still writes its file.
            let (interrupts, interrupted) = AsyncStream<Void>.makeStream()
            signal(SIGINT, SIG_IGN)
            let signalSource = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
            signalSource.setEventHandler { interrupted.yield() }
            signalSource.resume()
            defer { signalSource.cancel() }
            let recorded = await withTaskGroup(of: [InputEvent]?.self) { group in
                group.addTask { [pipeline] in
                    var pipeline = pipeline
                    var recorded: [InputEvent] = []
                    do {
                        try await LiveTouchInput.run(
                            device: node, pipeline: &pipeline,
                            raw: { event in
                                if keepRecording { recorded.append(event) }
                                if showRaw, !json { print("           \(event)") }
                            },
                            handle: { outputs in
                                for item in outputs {
                                    guard let line = TouchReport.line(item, contacts: showContacts || json) else { continue }
                                    if json {
                                        TouchReport.printJSONLine(line)
                                    } else {
                                        print(TouchReport.text(line))
                                    }
                                }
                            })
                    } catch {
                        print("\(path): \(error)")
                    }
                    return recorded
                }
                group.addTask {
                    for await _ in interrupts { return nil }
                    return nil
                }
                var result: [InputEvent] = []
                for await item in group {
                    if let item { result = item }
                    group.cancelAll()
                }
                return result
            }
            if let record {
                try EvemuRecording(device: description, events: recorded).text().write(toFile: record, atomically: true, encoding: .utf8)
            }
        }
    }

    struct Calibrate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Compute the calibration matrix from touches on known targets and store it.",
            discussion: """
                The technician touches each target in order (by default the five standard targets: \
                four corners inset by 10 % and the centre). Without --device or --recording, kioskd \
                draws the targets on the kiosk's own screen and collects the touches from its touch \
                driver (the screen must show the attract screen: no citizen session). With --device \
                the touches are read from the evdev node here (kioskd must not hold it), with \
                --recording from an evemu recording of the procedure.
                """)

        @OptionGroup var admin: AdminOptions

        @Option(help: "Seconds to wait for every target to be touched on the kiosk screen.")
        var timeout: Int = 120

        @OptionGroup var output: OutputOptions
        @OptionGroup var setup: TouchSetupOptions

        @Option(help: "Take the touches from this evemu recording.")
        var recording: String?

        @Option(help: "Take the touches live from this device node.")
        var device: String?

        @Option(help: "Targets as x,y;x,y;... in screen fractions (at least 4).")
        var targets: String?

        @Option(help: "Store the matrix in this configuration file as touch.calibration.")
        var write: String?

        struct Result: Encodable {
            var matrix: [Double]
            var rmsError: Double
            var worstError: Double
            var targets: [TouchPoint]
            var touches: [TouchPoint]
            var stored: String?
        }

        func parsedTargets() throws -> [TouchPoint] {
            guard let targets else { return CalibrationFit.standardTargets() }
            let points = targets.split(separator: ";").map { pair -> TouchPoint? in
                let numbers = pair.split(separator: ",").compactMap { Double($0.trimmingCharacters(in: .whitespaces)) }
                return numbers.count == 2 ? TouchPoint(x: numbers[0], y: numbers[1]) : nil
            }
            guard points.count >= CalibrationFit.minimumSamples, points.allSatisfy({ $0 != nil }) else {
                throw ValidationError("--targets takes at least 4 points written x,y;x,y;...")
            }
            return points.compactMap { $0 }
        }

        func run() async throws {
            if recording == nil && device == nil {
                try await reportingFailures { try await onScreen() }
                return
            }
            var session = CalibrationSession(targets: try parsedTargets())
            let site = try setup.site()
            if let recording {
                let file = try EvemuRecording.load(path: recording)
                let (settings, _) = try setup.settings(for: file.device, site: site)
                let configuration = try CalibrationSession.configuration(profile: settings, site: site)
                session.take(try TouchReplay.run(file, configuration: configuration).outputs)
            } else if let device {
                let node = try EvdevDevice(path: device)
                guard let description = try node.describe() else {
                    node.close()
                    throw ValidationError("\(device) is not an evdev device")
                }
                let (settings, _) = try setup.settings(for: description, site: site)
                let configuration = try CalibrationSession.configuration(profile: settings, site: site)
                let pipeline = try TouchPipeline(device: description, configuration: configuration)
                if let target = session.nextTarget { print("Touch target 1 at \(target)") }
                session = await withTaskGroup(of: CalibrationSession.self) { group in
                    group.addTask { [session] in
                        var pipeline = pipeline
                        var session = session
                        try? await LiveTouchInput.run(device: node, pipeline: &pipeline) { outputs in
                            guard session.take(outputs) > 0 else { return }
                            if let next = session.nextTarget {
                                print("Touch target \(session.touches.count + 1) at \(next)")
                            } else {
                                // Every target is touched: stop reading (the loop ends on cancellation).
                                withUnsafeCurrentTask { $0?.cancel() }
                            }
                        }
                        return session
                    }
                    return await group.next() ?? CalibrationSession()
                }
            } else {
                throw ValidationError("give --recording FILE or --device NODE")
            }
            guard session.nextTarget == nil else {
                throw ValidationError(
                    "only \(session.touches.count) of \(session.targets.count) targets were touched; repeat the procedure")
            }
            let fit = try session.fit()
            try report(
                Result(
                    matrix: fit.matrix.values, rmsError: fit.rmsError, worstError: fit.worstError, targets: session.targets,
                    touches: session.touches, stored: write))
        }

        /// The procedure on the kiosk's own screen, run by kioskd.
        func onScreen() async throws {
            let targets = try parsedTargets()
            let client = try admin.client()
            let query =
                "targets=" + targets.map { "\($0.x),\($0.y)" }.joined(separator: ";").addingPercentEncoding(
                    withAllowedCharacters: .alphanumerics.union(.init(charactersIn: ".,")))!
                + "&timeout=\(timeout)"
            FileHandle.standardError.write(
                Data("Touch the \(targets.count) targets shown on the kiosk screen, one after the other (\(timeout) s)...\n".utf8))
            let answer: CalibrationReport = try await client.post(
                "/admin/v1/touch/calibrate?\(query)", timeout: .seconds(Int64(timeout) + 15))
            try report(
                Result(
                    matrix: answer.matrix, rmsError: answer.rmsError, worstError: answer.worstError, targets: answer.targets,
                    touches: answer.touches, stored: write))
        }

        func report(_ result: Result) throws {
            guard let matrix = CalibrationMatrix(result.matrix) else { throw ValidationError("the calibration has no 6-value matrix") }
            if let write { try TouchCalibrationFile.store(matrix, in: write) }
            if output.json {
                try output.printJSON(result)
                return
            }
            let fit = (matrix: matrix, rmsError: result.rmsError, worstError: result.worstError)
            print("Calibration matrix (libinput): \(fit.matrix)")
            print(String(format: "error: %.2f %% of the screen on average, %.2f %% at worst", fit.rmsError * 100, fit.worstError * 100))
            print("For the kiosk configuration:")
            print(TouchCalibrationFile.snippet(fit.matrix), terminator: "")
            print(
                "For libinput (udev hwdb): LIBINPUT_CALIBRATION_MATRIX=\(fit.matrix.values.map(TouchCalibrationFile.number).joined(separator: " "))"
            )
            if let write { print("Stored in \(write).") }
        }
    }
}

extension TouchReport {
    /// One JSON object on one line (for streams such as `touch monitor --json`).
    static func printJSONLine(_ line: Line) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(line) else { return }
        FileHandle.standardOutput.write(data + Data("\n".utf8))
    }
}
