import Foundation
import KioskHandwriting
import Testing

/// One character's recorded strokes (scripts/make-handwriting-recordings.py: KanjiVG's stroke
/// paths in writing order, sampled as a finger on a 300×300 pad would leave them).
struct StrokeRecording: Decodable, Sendable, CustomTestStringConvertible {
    var character: String
    var source: String
    /// 1: GB 2312 level 1 (the old pinyin table's set), 2: its level 2, 0: beyond GB 2312.
    var gb2312Level: Int
    var width: Int
    var height: Int
    var strokes: [[[Int]]]

    var ink: HandwrittenCharacter {
        HandwrittenCharacter(
            width: width, height: height, strokes: strokes.map { $0.map { HandwrittenCharacter.Point(x: $0[0], y: $0[1]) } })
    }

    var testDescription: String { character }

    static let all: [StrokeRecording] = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Recordings/strokes.json")
        return (try? JSONDecoder().decode([StrokeRecording].self, from: Data(contentsOf: url))) ?? []
    }()
}

@Suite("Handwriting recognition (Zinnia, Debian's simplified-Chinese model)")
struct HandwritingRecognizerTests {
    static let recognizer: HandwritingRecognizer? = try? HandwritingRecognizer()

    @Test("recordings cover at least two characters beyond GB 2312 level 1")
    func recordingsReachBeyondLevelOne() {
        #expect(StrokeRecording.all.count >= 8)
        #expect(StrokeRecording.all.filter { $0.gb2312Level != 1 }.count >= 2)
    }

    @Test("a recorded character, replayed stroke by stroke, is among the first 5 candidates", arguments: StrokeRecording.all)
    func recognised(recording: StrokeRecording) throws {
        let recognizer = try #require(Self.recognizer, "install tegaki-zinnia-simplified-chinese")
        let candidates = try recognizer.candidates(for: recording.ink, limit: 5)
        #expect(candidates.count == 5)
        #expect(candidates.contains(recording.character), "\(recording.character) (\(recording.source)) not in \(candidates)")
    }

    @Test("candidates come as the strokes come in: the first strokes already give candidates")
    func partialCharacter() throws {
        let recognizer = try #require(Self.recognizer)
        let recording = try #require(StrokeRecording.all.first { $0.character == "森" })
        var partial = recording.ink
        partial.strokes = Array(partial.strokes.prefix(4))  // 木, the first of three
        let candidates = try recognizer.candidates(for: partial, limit: 10)
        #expect(!candidates.isEmpty)
        #expect(!candidates.contains("森"))
    }

    @Test("strokes off the pad or a pad of no size are refused, naming the rule")
    func refused() throws {
        let recognizer = try #require(Self.recognizer)
        let off = HandwrittenCharacter(width: 300, height: 300, strokes: [[.init(x: 10, y: 10), .init(x: 400, y: 10)]])
        #expect(throws: HandwritingError.self) { try recognizer.candidates(for: off) }
        let tiny = HandwrittenCharacter(width: 0, height: 300, strokes: [])
        #expect(throws: HandwritingError.self) { try recognizer.candidates(for: tiny) }
        #expect(try recognizer.candidates(for: HandwrittenCharacter(width: 300, height: 300, strokes: [])).isEmpty)
    }

    @Test("the 26 MB model is mapped at the first stroke and released when no one writes: an idle kiosk holds none of it")
    func modelOnlyWhileWriting() async throws {
        let recognizer = try HandwritingRecognizer(idleRelease: .milliseconds(300))
        #expect(!recognizer.isModelMapped, "checked at start, then released")
        let recording = try #require(StrokeRecording.all.first)
        #expect(try recognizer.candidates(for: recording.ink, limit: 5).contains(recording.character))
        #expect(recognizer.isModelMapped)
        let deadline = ContinuousClock.now + .seconds(20)
        while recognizer.isModelMapped && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(50)) }
        #expect(!recognizer.isModelMapped, "released after the idle time")
        // The next citizen's stroke maps it again, with the same answer.
        #expect(try recognizer.candidates(for: recording.ink, limit: 5).contains(recording.character))
        recognizer.release()
        #expect(!recognizer.isModelMapped)
    }

    @Test("a missing model is an error that says which package to install")
    func missingModel() {
        let error = #expect(throws: HandwritingError.self) {
            try HandwritingRecognizer(modelPath: "/nonexistent/handwriting.model")
        }
        #expect(error?.code == .modelUnavailable)
        #expect(error?.message.contains("tegaki-zinnia-simplified-chinese") == true)
    }
}
