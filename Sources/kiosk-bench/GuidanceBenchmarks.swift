import Foundation
import KioskHandwriting
import KioskSpeech

/// Handwriting and spoken guidance, as the citizen waits for them:
///
/// - stroke to candidates: every recorded character (Tests/KioskHandwritingTests/Recordings)
///   replayed as the pad sends it, one request per stroke with the strokes before it, through
///   Zinnia; median and p95, target under 50 ms.
/// - time to first audio of a prompt: uncached (espeak-ng runs) and cached (from the prompt
///   cache), beside espeak-ng's own run on the same text as the baseline; target under 300 ms
///   cached.
func runGuidanceBenchmarks(rounds: Int = 20) async throws -> [BenchmarkResult] {
    struct Recording: Decodable {
        var width: Int
        var height: Int
        var strokes: [[[Int]]]
    }
    let checkout = FileManager.default.currentDirectoryPath
    let file = URL(fileURLWithPath: checkout + "/Tests/KioskHandwritingTests/Recordings/strokes.json")
    let recordings = try JSONDecoder().decode([Recording].self, from: Data(contentsOf: file))
    let recognizer = try HandwritingRecognizer()
    let clock = ContinuousClock()
    var latencies: [Double] = []
    for _ in 0..<rounds {
        for recording in recordings {
            let strokes = recording.strokes.map { $0.map { HandwrittenCharacter.Point(x: $0[0], y: $0[1]) } }
            for count in 1...strokes.count {
                let ink = HandwrittenCharacter(width: recording.width, height: recording.height, strokes: Array(strokes.prefix(count)))
                let elapsed = try clock.measure { _ = try recognizer.candidates(for: ink) }
                latencies.append(elapsed.milliseconds)
            }
        }
    }
    // The first stroke after an idle spell maps the model again (the idle kiosk holds none of it).
    var firstStrokes: [Double] = []
    if let recording = recordings.first {
        let ink = HandwrittenCharacter(
            width: recording.width, height: recording.height,
            strokes: [recording.strokes[0].map { HandwrittenCharacter.Point(x: $0[0], y: $0[1]) }])
        for _ in 0..<10 {
            recognizer.release()
            firstStrokes.append(try clock.measure { _ = try recognizer.candidates(for: ink) }.milliseconds)
        }
    }
    var figures = [
        BenchmarkResult(
            name: "handwriting: first stroke after idle (model mapped), median", value: firstStrokes.median, unit: "ms",
            target: "< 100 ms", met: firstStrokes.median < 100),
        BenchmarkResult(
            name: "handwriting: stroke to candidates, median", value: latencies.median, unit: "ms", target: "< 50 ms",
            met: latencies.median < 50),
        BenchmarkResult(
            name: "handwriting: stroke to candidates, p95", value: latencies.percentile(0.95), unit: "ms", target: "< 50 ms",
            met: latencies.percentile(0.95) < 50),
    ]

    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("kiosk-bench-speech-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: folder) }
    let voice = PromptVoice(cacheDirectory: folder)
    var uncached: [Double] = []
    var cached: [Double] = []
    var engine: [Double] = []
    for round in 0..<5 {
        // A different prompt each round, so that the first call really synthesises.
        let text = "第\(round + 1)步，填写表格。请核对身份证读取的信息，填写标红的内容，然后点击下一步。"
        let start = clock.now
        _ = try await voice.audio(for: text, catalogueVersion: "bench")
        uncached.append((clock.now - start).milliseconds)
        let again = clock.now
        _ = try await voice.audio(for: text, catalogueVersion: "bench")
        cached.append((clock.now - again).milliseconds)
        engine.append(try espeakAlone(text).milliseconds)
    }
    figures.append(
        BenchmarkResult(
            name: "speech: first audio, uncached (median)", value: uncached.median, unit: "ms", baseline: engine.median,
            baselineName: "espeak-ng alone", target: "-", met: true))
    figures.append(
        BenchmarkResult(
            name: "speech: first audio, cached (median)", value: cached.median, unit: "ms", target: "< 300 ms", met: cached.median < 300))
    return figures
}

/// espeak-ng on its own, writing the same prompt to a file: the engine's share of the wait.
private func espeakAlone(_ text: String) throws -> Duration {
    let output = FileManager.default.temporaryDirectory.appendingPathComponent("kiosk-bench-\(UUID().uuidString).wav")
    defer { try? FileManager.default.removeItem(at: output) }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/espeak-ng")
    process.arguments = ["-v", "cmn", "-s", "150", "-w", output.path, text]
    let clock = ContinuousClock()
    let start = clock.now
    try process.run()
    process.waitUntilExit()
    return clock.now - start
}

extension Duration {
    fileprivate var milliseconds: Double {
        Double(components.seconds) * 1000 + Double(components.attoseconds) / 1e15
    }
}
