/// Why a document could not be rendered: a stable code, a message a technician can act on,
/// and the underlying error. Never carries personal data (field paths only, never values).
public struct DocumentError: Error, Sendable, CustomStringConvertible {
    /// The kind of failure; more codes may be added.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Value: String { case invalidData, template, font, render, qr, image, io }
        private let value: Value

        /// The document data does not match the format (missing field, bad date, bad image).
        public static let invalidData = Code(value: .invalidData)
        /// The template is malformed or refers to a field the data does not have.
        public static let template = Code(value: .template)
        /// No usable font, or text that the fonts cannot show.
        public static let font = Code(value: .font)
        /// cairo failed to draw or write the document.
        public static let render = Code(value: .render)
        /// The QR code could not be encoded (too long).
        public static let qr = Code(value: .qr)
        /// An embedded image (the signature) could not be decoded.
        public static let image = Code(value: .image)
        /// A file could not be read or written.
        public static let io = Code(value: .io)

        public var description: String { value.rawValue }
    }

    public var code: Code
    public var message: String
    public var cause: (any Error)?

    public init(_ code: Code, _ message: String, cause: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.cause = cause
    }

    public var description: String { "\(code): \(message)" }
}
