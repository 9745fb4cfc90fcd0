import CZinnia
import KioskCore
import Synchronization

/// Zinnia's online handwriting recogniser over a trained model (Debian's
/// `tegaki-zinnia-simplified-chinese`: the 6,763 characters of GB 2312). The only user of the
/// `CZinnia` module; the rest of the kiosk sees `HandwrittenCharacter` in, characters out.
public final class HandwritingRecognizer: Sendable {
    /// Where Debian's simplified-Chinese model is installed.
    public static let debianModel = "/usr/share/tegaki/models/zinnia/handwriting-zh_CN.model"

    /// The C++ recogniser, which Zinnia does not promise to be reentrant: used only under
    /// `lock`, one classification at a time (each takes a few milliseconds).
    nonisolated(unsafe) private let recogniser: OpaquePointer
    private let lock = Mutex(())
    /// How many characters the model knows.
    public let modelSize: Int

    /// Loads the model at `modelPath` (memory-mapped by Zinnia).
    public init(modelPath: String = HandwritingRecognizer.debianModel) throws(HandwritingError) {
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
        recogniser = handle
    }

    deinit {
        zinnia_recognizer_destroy(recogniser)
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
        let found: [String]? = lock.withLock { _ in
            guard let result = zinnia_recognizer_classify(recogniser, ink, limit + 5) else { return nil }
            defer { zinnia_result_destroy(result) }
            var found: [String] = []
            for index in 0..<zinnia_result_size(result) where found.count < limit {
                guard let value = zinnia_result_value(result, index) else { continue }
                let text = String(cString: value)
                if let only = text.first, text.count == 1, PersonName.isStandard(only) { found.append(text) }
            }
            return found
        }
        guard let found else { throw HandwritingError(.recogniserFailed, "zinnia returned no result") }
        return found
    }
}
