import KioskHandwriting
import Logging

extension KioskDaemon {
    /// Debian's handwriting model, or `nil` (logged) when it is not installed: the screen then
    /// offers pinyin only, and the kiosk still takes every application.
    static func handwritingRecognizer(logger: Logger) -> HandwritingRecognizer? {
        do {
            let recognizer = try HandwritingRecognizer()
            logger.info("Handwriting model loaded", metadata: ["handwriting.characters": "\(recognizer.modelSize)"])
            return recognizer
        } catch {
            logger.warning("Handwriting unavailable: the pad is not offered", metadata: ["error": "\(error)"])
            return nil
        }
    }
}
