import Foundation
import KioskCore
import Testing

@testable import KioskDevices

/// One filter switched off (or all of them), to show what each one changes.
enum FilterVariant: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case allOn = "all filters"
    case noOutsideArea = "without active area"
    case noTooShort = "without minimum duration"
    case noPhantom = "without phantom filter"
    case noStuck = "without stuck-contact release"
    case noDebounce = "without debounce"
    case allOff = "no filters"

    var testDescription: String { rawValue }

    func apply(to settings: inout TouchFilterSettings) {
        switch self {
        case .allOn: break
        case .noOutsideArea: settings.activeArea = nil
        case .noTooShort: settings.minimumContactMilliseconds = 0
        case .noPhantom: settings.phantom.enabled = false
        case .noStuck: settings.stuckContactSeconds = 0
        case .noDebounce: settings.debounceMilliseconds = 0
        case .allOff: settings = .none
        }
    }
}

/// A shipped recording and the gestures it must give, with every filter on and with each off.
struct RecordingCase: Sendable, CustomTestStringConvertible {
    var file: String
    var profile: String
    var site = TouchSiteSettings()
    var expected: [ExpectedGesture]
    /// What changes when a filter is off; variants not listed give `expected`.
    var without: [FilterVariant: [ExpectedGesture]] = [:]
    var maintenanceRequests = 0

    var testDescription: String { file }

    func expected(for variant: FilterVariant) -> [ExpectedGesture] { without[variant] ?? expected }
}

let phantomPoint = (0.90, 0.10)

let recordingCases: [RecordingCase] = [
    RecordingCase(
        file: "taps.evemu", profile: "ilitek-222a-0001",
        expected: [
            .tap(0.25, 0.30), .tap(0.75, 0.60), .tap(0.50, 0.40), .longPress(0.50, 0.50), .swipe(.left, from: 0.80, 0.50),
            .tap(0.10, 0.90),
        ],
        without: [
            .noDebounce: [
                .tap(0.25, 0.30), .tap(0.75, 0.60), .tap(0.50, 0.40), .tap(0.50, 0.40), .longPress(0.50, 0.50),
                .swipe(.left, from: 0.80, 0.50), .tap(0.10, 0.90),
            ],
            .noTooShort: [
                .tap(0.25, 0.30), .tap(0.75, 0.60), .tap(0.50, 0.40), .tap(0.62, 0.81), .longPress(0.50, 0.50),
                .swipe(.left, from: 0.80, 0.50), .tap(0.10, 0.90),
            ],
            .noOutsideArea: [
                .tap(0.25, 0.30), .tap(0.75, 0.60), .tap(0.50, 0.40), .tap(0.998, 0.50), .longPress(0.50, 0.50),
                .swipe(.left, from: 0.80, 0.50), .tap(0.10, 0.90),
            ],
            .allOff: [
                .tap(0.25, 0.30), .tap(0.75, 0.60), .tap(0.50, 0.40), .tap(0.50, 0.40), .tap(0.62, 0.81), .tap(0.998, 0.50),
                .longPress(0.50, 0.50), .swipe(.left, from: 0.80, 0.50), .tap(0.10, 0.90),
            ],
        ]),
    RecordingCase(
        file: "multitouch.evemu", profile: "ilitek-222a-0001",
        expected: [
            .tap(0.50, 0.50, fingers: 2), .swipe(.up, from: 0.50, 0.70, fingers: 2), .tap(0.50, 0.50, fingers: 3),
            .longPress(0.11, 0.14, fingers: 3), .tap(0.50, 0.50),
        ],
        maintenanceRequests: 1),
    RecordingCase(
        file: "rotated-90.evemu", profile: "ilitek-222a-0001", site: TouchSiteSettings(rotation: .clockwise90),
        expected: [.tap(0.20, 0.10), .tap(0.80, 0.90), .swipe(.right, from: 0.20, 0.50)]),
    RecordingCase(
        file: "phantom-periodic.evemu", profile: "ilitek-222a-0001",
        expected: [
            .tap(phantomPoint.0, phantomPoint.1), .tap(0.30, 0.40), .tap(phantomPoint.0, phantomPoint.1),
            .tap(phantomPoint.0, phantomPoint.1), .tap(0.60, 0.70), .tap(0.40, 0.20),
        ],
        without: Dictionary(
            uniqueKeysWithValues: [FilterVariant.noPhantom, .allOff].map { variant in
                (
                    variant,
                    [
                        ExpectedGesture.tap(phantomPoint.0, phantomPoint.1), .tap(0.30, 0.40), .tap(phantomPoint.0, phantomPoint.1),
                        .tap(phantomPoint.0, phantomPoint.1), .tap(0.60, 0.70), .tap(phantomPoint.0, phantomPoint.1),
                        .tap(phantomPoint.0, phantomPoint.1), .tap(0.40, 0.20), .tap(phantomPoint.0, phantomPoint.1),
                        .tap(phantomPoint.0, phantomPoint.1), .tap(phantomPoint.0, phantomPoint.1),
                    ]
                )
            })),
    RecordingCase(
        file: "stuck-contact.evemu", profile: "ilitek-222a-0001",
        expected: [.longPress(0.35, 0.65), .tap(0.20, 0.20), .tap(0.60, 0.30)],
        without: [.noStuck: [.longPress(0.35, 0.65)], .allOff: [.longPress(0.35, 0.65)]]),
    RecordingCase(
        file: "syn-dropped.evemu", profile: "ilitek-222a-0001",
        expected: [.tap(0.30, 0.30), .swipe(.right, from: 0.20, 0.60), .tap(0.70, 0.35), .tap(0.50, 0.80)]),
    RecordingCase(
        file: "single-touch.evemu", profile: "egalax-0eef-0001",
        expected: [.tap(0.30, 0.30), .tap(0.70, 0.70), .longPress(0.50, 0.50), .swipe(.down, from: 0.50, 0.20)]),
]

@Suite("Shipped touch recordings")
struct TouchRecordingTests {
    func replay(_ testCase: RecordingCase, _ variant: FilterVariant) throws -> TouchReplayResult {
        var profile = try shippedProfile(testCase.profile)
        variant.apply(to: &profile.filters)
        let configuration = try TouchConfiguration(profile: profile, site: testCase.site)
        return try TouchReplay.run(try shippedRecording(testCase.file), configuration: configuration)
    }

    @Test(
        "Each recording gives its taps and gestures, with and without each filter",
        arguments: recordingCases, FilterVariant.allCases)
    func gestures(testCase: RecordingCase, variant: FilterVariant) throws {
        let result = try replay(testCase, variant)
        expectGestures(result.gestures, testCase.expected(for: variant))
        #expect(result.maintenanceRequests == testCase.maintenanceRequests)
        #expect(result.eventsProcessed == (try shippedRecording(testCase.file)).events.count)
        // Every contact that began was ended or cancelled: nothing is left touching the screen.
        var open = Set<Int>()
        for change in result.contacts {
            switch change.phase {
            case .began: open.insert(change.contact)
            case .ended, .cancelled: open.remove(change.contact)
            case .moved: #expect(open.contains(change.contact), "a move of a contact that is not down")
            }
        }
        if testCase.file != "stuck-contact.evemu" || (variant != .noStuck && variant != .allOff) {
            #expect(open.isEmpty, "contacts left down: \(open)")
        }
        if variant == .allOff { #expect(result.filterCounts.isEmpty) }
    }

    @Test("Each filter counts what it removed")
    func filterCounts() throws {
        let taps = try replay(recordingCases[0], .allOn).filterCounts
        #expect(taps == [.debounced: 1, .tooShort: 1, .outsideArea: 1])
        let phantom = try replay(recordingCases[3], .allOn)
        #expect(phantom.filterCounts == [.phantom: 5])
        #expect(phantom.phantomHotspots.count == 1)
        #expect(phantom.phantomHotspots.first.map { $0.distance(to: TouchPoint(x: 0.9, y: 0.1)) < 0.01 } == true)
        #expect(try replay(recordingCases[4], .allOn).filterCounts == [.stuckReleased: 1])
    }

    @Test("A rotated panel replayed without its rotation lands where the raw panel says")
    func rotationMatters() throws {
        var testCase = recordingCases[2]
        testCase.site = TouchSiteSettings()
        expectGestures(try replay(testCase, .allOn).gestures, [.tap(0.10, 0.80), .tap(0.90, 0.20), .swipe(.up, from: 0.50, 0.80)])
    }

    @Test("SYN_DROPPED is repaired from the device's state; without it, contacts in doubt are cancelled")
    func resynchronisation() throws {
        let configuration = try TouchConfiguration(profile: try shippedProfile("ilitek-222a-0001"))
        let recording = try shippedRecording("syn-dropped.evemu")
        let repaired = try TouchReplay.run(recording, configuration: configuration)
        #expect(repaired.resyncs.total == 2 && repaired.resyncs.blind == 0)
        let blind = try TouchReplay.run(recording, configuration: configuration, deviceState: false)
        #expect(blind.resyncs.total == 2 && blind.resyncs.blind == 2)
        // The swipe in progress at the first drop cannot be trusted, so it is not reported;
        // the fingers that keep reporting positions are picked up again.
        expectGestures(blind.gestures, [.tap(0.30, 0.30), .tap(0.70, 0.35), .tap(0.50, 0.80)])
        #expect(blind.contacts.contains { $0.phase == .cancelled })
    }

    @Test("The calibration recording gives five taps that recover the panel's skew")
    func calibrationRecording() throws {
        let configuration = try CalibrationSession.configuration(profile: try shippedProfile("ilitek-222a-0001"), site: .init())
        var session = CalibrationSession()
        session.take(try TouchReplay.run(try shippedRecording("calibration-skewed.evemu"), configuration: configuration).outputs)
        #expect(session.nextTarget == nil)
        let fit = try session.fit()
        let truth = CalibrationMatrix(a: 1.04, b: 0.02, c: -0.03, d: -0.015, e: 0.97, f: 0.02)
        #expect(fit.matrix.isClose(to: truth, tolerance: 0.005), "\(fit.matrix)")
        // Replayed again with the new calibration, the taps land on the targets.
        let calibrated = try TouchConfiguration(
            profile: try shippedProfile("ilitek-222a-0001"), site: TouchSiteSettings(calibration: fit.matrix.values))
        let taps = try TouchReplay.run(try shippedRecording("calibration-skewed.evemu"), configuration: calibrated).gestures
        expectGestures(taps, CalibrationFit.standardTargets().map { .tap($0.x, $0.y) })
    }
}
