import CZinnia
import KioskCore
import Synchronization

/// Zinnia's online handwriting recogniser over a trained model (Debian's
/// `tegaki-zinnia-simplified-chinese`: the 6,763 characters of GB 2312). The only user of the
/// `CZinnia` module; the rest of the kiosk sees `HandwrittenCharacter` in, characters out.
///
/// The model is 26 MB, memory-mapped, and every classification reads all of it: mapped for
/// good it would be half of an idle kioskd's memory. So it is mapped at the first stroke
/// (about 30 ms, from the page cache) and released once no one has written for
/// `idleRelease`: an idle kiosk holds none of it.
public final class HandwritingRecognizer: Sendable {
    /// Where Debian's simplified-Chinese model is installed.
    public static let debianModel = "/usr/share/tegaki/models/zinnia/handwriting-zh_CN.model"

    /// The C++ recogniser, which Zinnia does not promise to be reentrant: used only under
    /// `state`'s lock, one classification at a time (each takes a few milliseconds).
    nonisolated(unsafe) private let recogniser: OpaquePointer
    private struct State {
        var open = false
        var lastUse = ContinuousClock.now
        var releasing = false
    }
    private let state = Mutex(State())
    private let modelPath: String
    private let idleRelease: Duration
    /// How many characters the model knows.
    public let modelSize: Int

    /// Checks that the model at `modelPath` opens (then releases it until the first stroke).
    public init(
        modelPath: String = HandwritingRecognizer.debianModel, idleRelease: Duration = .seconds(120)
    )
        throws(HandwritingError)
    {
        guard let handle = zinnia_recognizer_new() else {
            throw HandwritingError(.modelUnavailable, "zinnia could not create a recogniser")
        }
        guard zinnia_recognizer_open(handle, modelPath) != 0 else {
            let reason = String(cString: zinnia_recognizer_strerror(handle))
            zinnia_recognizer_destroy(handle)
            throw HandwritingError(
                .modelUnavailable, "cannot open the handwriting model \(modelPath) (\(reason)); install tegaki-zinnia-simplified-chinese")
        }
        modelSize = zinnia_recognizer_size(handle)
        zinnia_recognizer_close(handle)
        recogniser = handle
        self.modelPath = modelPath
        self.idleRelease = idleRelease
    }

    deinit {
        zinnia_recognizer_destroy(recogniser)
    }

    /// Whether the model is mapped now (for the memory tests).
    public var isModelMapped: Bool { state.withLock { $0.open } }

    /// Unmaps the model now; the next stroke maps it again.
    public func release() {
        state.withLock { state in
            guard state.open else { return }
            zinnia_recognizer_close(recogniser)
            state.open = false
        }
    }

    /// Releases the model once `idleRelease` has passed since the last stroke (one waiter at a time).
    private func releaseWhenIdle() {
        let start = state.withLock { state -> Bool in
            defer { state.releasing = true }
            return !state.releasing
        }
        guard start else { return }
        // Nobody awaits it: it ends by itself once the model is released (or the recognizer is
        // gone), and the next stroke starts the next one.
        Task { [weak self, idleRelease] in
            var wait = idleRelease
            while let self {
                try? await Task.sleep(for: wait)
                let remaining = self.state.withLock { state -> Duration? in
                    let idle = ContinuousClock.now - state.lastUse
                    guard idle >= self.idleRelease else { return self.idleRelease - idle }
                    if state.open { zinnia_recognizer_close(self.recogniser) }
                    state.open = false
                    state.releasing = false
                    return nil
                }
                guard let remaining else { return }
                wait = remaining
            }
        }
    }

    /// The characters `character` most likely is, best first: at most `limit`, and only
    /// characters of the 通用规范汉字表 (what a name may hold; the model also knows a few
    /// variants the table replaced).
    public func candidates(for character: HandwrittenCharacter, limit: Int = 10) throws(HandwritingError) -> [String] {
        if let problem = character.problem { throw problem }
        guard !character.strokes.isEmpty else { return [] }
        guard let ink = zinnia_character_new() else {
            throw HandwritingError(.recogniserFailed, "zinnia could not allocate a character")
        }
        defer { zinnia_character_destroy(ink) }
        zinnia_character_set_width(ink, character.width)
        zinnia_character_set_height(ink, character.height)
        for (index, stroke) in character.strokes.enumerated() {
            for point in stroke { _ = zinnia_character_add(ink, index, Int32(point.x), Int32(point.y)) }
        }
        // Ask for more than wanted: the few outside the standard table are dropped below.
        let found: Result<[String], HandwritingError> = state.withLock { state in
            state.lastUse = .now
            if !state.open {
                guard zinnia_recognizer_open(recogniser, modelPath) != 0 else {
                    return .failure(HandwritingError(.modelUnavailable, "the handwriting model \(modelPath) no longer opens"))
                }
                state.open = true
            }
            guard let result = zinnia_recognizer_classify(recogniser, ink, limit + 5) else {
                return .failure(HandwritingError(.recogniserFailed, "zinnia returned no result"))
            }
            defer { zinnia_result_destroy(result) }
            var found: [String] = []
            for index in 0..<zinnia_result_size(result) where found.count < limit {
                guard let value = zinnia_result_value(result, index) else { continue }
                let text = String(cString: value)
                if let only = text.first, text.count == 1, PersonName.isStandard(only) { found.append(text) }
            }
            return .success(found)
        }
        releaseWhenIdle()
        return try found.get()
    }
}
