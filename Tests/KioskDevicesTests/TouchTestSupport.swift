import Foundation
import KioskCore
import Testing

@testable import KioskDevices

// `repositoryRoot` is declared in IDCardTestSupport.swift.
let touchProfilesFolder = repositoryRoot + "/Devices"
let touchRecordingsFolder = repositoryRoot + "/Devices/touch/recordings"

func shippedRecording(_ name: String) throws -> EvemuRecording {
    try EvemuRecording.load(path: touchRecordingsFolder + "/" + name)
}

func shippedProfile(_ name: String) throws -> TouchProfileSettings {
    let catalog = DeviceProfileCatalog.load(directory: touchProfilesFolder)
    let profile = try #require(catalog.profile(named: name))
    return try TouchProfileSettings.of(profile)
}

/// A gesture as a test expects it: kind, fingers, and where (or which way, for a swipe).
struct ExpectedGesture: CustomStringConvertible, Sendable {
    var kind: TouchGesture.Kind
    var fingers: Int
    var x: Double
    var y: Double
    var direction: SwipeDirection?

    static func tap(_ x: Double, _ y: Double, fingers: Int = 1) -> ExpectedGesture {
        ExpectedGesture(kind: .tap, fingers: fingers, x: x, y: y)
    }
    static func longPress(_ x: Double, _ y: Double, fingers: Int = 1) -> ExpectedGesture {
        ExpectedGesture(kind: .longPress, fingers: fingers, x: x, y: y)
    }
    static func swipe(_ direction: SwipeDirection, from x: Double, _ y: Double, fingers: Int = 1) -> ExpectedGesture {
        ExpectedGesture(kind: .swipe, fingers: fingers, x: x, y: y, direction: direction)
    }

    func matches(_ gesture: TouchGesture) -> Bool {
        gesture.kind == kind && gesture.fingers == fingers && gesture.direction == direction
            && gesture.point.distance(to: TouchPoint(x: x, y: y)) < 0.01
    }

    var description: String {
        "\(kind.rawValue) \(fingers) \(direction?.rawValue ?? "") (\(x), \(y))"
    }
}

func expectGestures(
    _ gestures: [TouchGesture], _ expected: [ExpectedGesture], sourceLocation: SourceLocation = #_sourceLocation
) {
    let matches = gestures.count == expected.count && zip(gestures, expected).allSatisfy { $1.matches($0) }
    #expect(
        matches, "got \(gestures.map(\.description)), expected \(expected.map(\.description))", sourceLocation: sourceLocation)
}
