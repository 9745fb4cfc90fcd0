/// Why a prompt was not spoken. Messages never quote the prompt (it was refused for a reason).
public struct SpeechError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of failure, as a code that can grow.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Value: Sendable, Hashable {
            case refused, engineUnavailable, synthesisFailed
        }
        private let value: Value

        /// The text may not be spoken (personal data, too long).
        public static let refused = Code(value: .refused)
        /// espeak-ng or its Mandarin voice is not installed.
        public static let engineUnavailable = Code(value: .engineUnavailable)
        /// espeak-ng ran and produced no usable audio.
        public static let synthesisFailed = Code(value: .synthesisFailed)

        /// The code's name.
        public var description: String {
            switch value {
            case .refused: "refused"
            case .engineUnavailable: "engineUnavailable"
            case .synthesisFailed: "synthesisFailed"
            }
        }
    }

    /// What kind of failure.
    public var code: Code
    /// What is wrong.
    public var message: String

    /// An error with its code and message.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// `code: message`.
    public var description: String { "\(code): \(message)" }
}
