import Foundation
import KioskCore
import KioskDevices

/// The touch benchmark's figures for `make bench`: replaying 100,000 events through the live
/// pipeline, median processing per event under 20 µs, and no events lost. There is no outside
/// baseline for our own pipeline; the baseline given is decoding the same events alone (the
/// floor any evdev reader pays).
func runTouchBenchmarks(recordings directory: String = "Devices/touch/recordings") async throws -> [BenchmarkResult] {
    let figures = try measureTouchPipeline(recordings: directory)
    return [
        BenchmarkResult(
            name: "touch: median processing per event", value: figures.medianMicroseconds, unit: "µs",
            baseline: figures.decodeMedianMicroseconds, baselineName: "decoding alone", target: "< 20 µs median",
            met: figures.medianMicroseconds < 20),
        BenchmarkResult(
            name: "touch: p99 processing per event", value: figures.p99Microseconds, unit: "µs", target: "(reported)", met: true),
        BenchmarkResult(
            name: "touch: events replayed", value: Double(figures.events), unit: "events", target: ">= 100000",
            met: figures.events >= 100_000),
        BenchmarkResult(
            name: "touch: events lost (gestures missing)", value: Double(figures.lostEvents), unit: "gestures",
            target: "0 of \(figures.expectedGestures)", met: figures.lostEvents == 0),
    ]
}

/// What the touch benchmark measured.
struct TouchBenchmarkFigures: CustomStringConvertible {
    /// Events fed through the pipeline.
    var events: Int
    /// Median and 99th percentile of the time to process one event, in microseconds
    /// (including the clock reads around it, about 0.03 µs).
    var medianMicroseconds: Double
    var p99Microseconds: Double
    /// Median time to decode one 24-byte record alone.
    var decodeMedianMicroseconds: Double
    /// Events per second over the whole run.
    var eventsPerSecond: Double
    /// Gestures expected (each pass over the recordings alone, times the passes) and produced;
    /// any difference means lost events.
    var expectedGestures: Int
    var producedGestures: Int

    var lostEvents: Int { expectedGestures - producedGestures }

    var description: String {
        String(
            format: "touch replay: %d events, median %.2f µs/event, p99 %.2f µs, %.0f events/s, gestures %d of %d (%@)",
            events, medianMicroseconds, p99Microseconds, eventsPerSecond, producedGestures, expectedGestures,
            lostEvents == 0 ? "none lost" : "\(lostEvents) LOST")
    }
}

/// Replays the shipped recordings, end to end, until at least `minimumEvents` events went
/// through one pipeline (multi-touch panel, all filters on), and times every event.
func measureTouchPipeline(
    recordings directory: String = "Devices/touch/recordings", minimumEvents: Int = 100_000
) throws
    -> TouchBenchmarkFigures
{
    // The multi-touch recordings of one panel model; the single-touch one needs another pipeline.
    let names = ["taps.evemu", "multitouch.evemu", "rotated-90.evemu", "phantom-periodic.evemu", "syn-dropped.evemu"]
    let recordings = try names.map { name throws(TouchError) in
        try EvemuRecording.load(path: (directory as NSString).appendingPathComponent(name))
    }
    let configuration = try TouchConfiguration(profile: TouchProfileSettings(), site: TouchSiteSettings())

    // One pass alone, each recording fresh: the gestures every later pass must reproduce.
    var perPass = 0
    for recording in recordings {
        perPass += try TouchReplay.run(recording, configuration: configuration).gestures.count
    }

    // One long stream: the recordings back to back, 10 s apart, repeated.
    var stream: [InputEvent] = []
    var offset: Int64 = 0
    var passes = 0
    while stream.count < minimumEvents {
        for recording in recordings {
            let start = recording.events.first?.time.microseconds ?? 0
            for var event in recording.events {
                event.time.microseconds = event.time.microseconds - start + offset
                stream.append(event)
            }
            offset = (stream.last?.time.microseconds ?? offset) + 10_000_000
        }
        passes += 1
    }

    // The floor: turning the raw records back into events, with the same clock reads around each.
    let bytes = stream.flatMap(\.bytes)
    var decodeDurations = [Double](repeating: 0, count: stream.count)
    var checksum = 0
    bytes.withUnsafeBytes { raw in
        for index in 0..<stream.count {
            let before = ContinuousClock.now
            let event = InputEvent(bytes: raw, at: index * InputEvent.size)
            checksum &+= Int(event.value)
            let elapsed = ContinuousClock.now - before
            decodeDurations[index] = Double(elapsed.components.attoseconds) / 1e12 + Double(elapsed.components.seconds) * 1e6
        }
    }
    decodeDurations.sort()

    var pipeline = try TouchPipeline(device: recordings[0].device, configuration: configuration)
    var mirror = EvdevStateMirror(slotCount: recordings[0].device.slotCount)
    var outputs: [TouchOutput] = []
    outputs.reserveCapacity(stream.count)
    var durations = [Double](repeating: 0, count: stream.count)
    let clock = ContinuousClock()
    let started = clock.now
    for (index, event) in stream.enumerated() {
        let before = clock.now
        if event.type != EvdevCode.synchronization || event.code != EvdevCode.synDropped { mirror.apply(event) }
        pipeline.process(event, into: &outputs) { mirror.snapshot }
        let elapsed = clock.now - before
        durations[index] = Double(elapsed.components.attoseconds) / 1e12 + Double(elapsed.components.seconds) * 1e6
    }
    pipeline.finish(into: &outputs)
    let total = clock.now - started
    durations.sort()
    let seconds = Double(total.components.seconds) + Double(total.components.attoseconds) / 1e18
    let produced = outputs.reduce(0) { if case .gesture = $1 { $0 + 1 } else { $0 } }
    return TouchBenchmarkFigures(
        events: stream.count, medianMicroseconds: durations[durations.count / 2],
        p99Microseconds: durations[durations.count * 99 / 100],
        decodeMedianMicroseconds: decodeDurations[decodeDurations.count / 2] + (checksum == .min ? 1 : 0),
        eventsPerSecond: Double(stream.count) / seconds,
        expectedGestures: perPass * passes, producedGestures: produced)
}
