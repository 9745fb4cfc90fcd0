import KioskCore

/// What a recording produced when replayed: the same outputs a live device would have given.
public struct TouchReplayResult: Sendable {
    public var outputs: [TouchOutput]
    /// How many events were fed (all of them: a replay never drops any).
    public var eventsProcessed: Int
    public var phantomHotspots: [TouchPoint]

    /// The gestures, in order.
    public var gestures: [TouchGesture] {
        outputs.compactMap { if case let .gesture(gesture) = $0 { gesture } else { nil } }
    }

    /// The contact changes, in order.
    public var contacts: [TouchContactChange] {
        outputs.compactMap { if case let .contact(change) = $0 { change } else { nil } }
    }

    /// How many times each filter acted.
    public var filterCounts: [TouchFilterAction: Int] {
        var counts: [TouchFilterAction: Int] = [:]
        for case let .filtered(action, _) in outputs { counts[action, default: 0] += 1 }
        return counts
    }

    /// The technician gestures seen.
    public var maintenanceRequests: Int {
        outputs.reduce(0) { if case .maintenanceRequest = $1 { $0 + 1 } else { $0 } }
    }

    /// How many resynchronisations, and how many of them blind.
    public var resyncs: (total: Int, blind: Int) {
        var total = 0, blind = 0
        for case let .resynchronised(isBlind, _) in outputs {
            total += 1
            if isBlind { blind += 1 }
        }
        return (total, blind)
    }
}

/// Replays recordings through ``TouchPipeline``, with the device's state for `SYN_DROPPED`
/// repair taken from the recording itself (what `EVIOCGMTSLOTS` would have answered).
public enum TouchReplay {
    /// Replays `recording` with `configuration`. `deviceState: false` replays as if the device
    /// could not be asked (a pipe), to show what a blind resynchronisation does.
    public static func run(
        _ recording: EvemuRecording, configuration: TouchConfiguration, deviceState: Bool = true
    ) throws(TouchError) -> TouchReplayResult {
        var pipeline = try TouchPipeline(device: recording.device, configuration: configuration)
        var mirror = EvdevStateMirror(slotCount: max(recording.device.slotCount, configuration.profile.axes?.slots ?? 1))
        var outputs: [TouchOutput] = []
        outputs.reserveCapacity(recording.events.count / 4)
        for event in recording.events {
            if event.type != EvdevCode.synchronization || event.code != EvdevCode.synDropped { mirror.apply(event) }
            pipeline.process(event, into: &outputs, snapshot: { deviceState ? mirror.snapshot : nil })
        }
        pipeline.finish(into: &outputs)
        return TouchReplayResult(
            outputs: outputs, eventsProcessed: recording.events.count, phantomHotspots: pipeline.phantomHotspots.map(\.point))
    }
}
