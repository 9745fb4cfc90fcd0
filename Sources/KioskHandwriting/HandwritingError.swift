/// Why handwriting could not be recognised. The message names what is wrong, never what was
/// written: a name being written is personal data.
public struct HandwritingError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of failure, as a code that can grow.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Value: Sendable, Hashable {
            case modelUnavailable, badCharacter, recogniserFailed
        }
        private let value: Value

        /// The recogniser's model file is missing or unreadable.
        public static let modelUnavailable = Code(value: .modelUnavailable)
        /// The strokes sent are not a character the pad could have made.
        public static let badCharacter = Code(value: .badCharacter)
        /// The recogniser returned nothing for a well-formed character.
        public static let recogniserFailed = Code(value: .recogniserFailed)

        /// The code's name.
        public var description: String {
            switch value {
            case .modelUnavailable: "modelUnavailable"
            case .badCharacter: "badCharacter"
            case .recogniserFailed: "recogniserFailed"
            }
        }
    }

    /// What kind of failure.
    public var code: Code
    /// What is wrong, for a technician or the screen's developer.
    public var message: String

    /// An error with its code and message.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// `code: message`.
    public var description: String { "\(code): \(message)" }
}
