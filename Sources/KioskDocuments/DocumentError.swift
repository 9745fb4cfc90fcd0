/// Why a document could not be rendered: a stable code, a message a technician can act on,
/// and the underlying error. Never carries personal data (field paths only, never values).
public struct DocumentError: Error, Sendable, CustomStringConvertible {
    /// The kind of failure; a struct wrapping a private enum so that codes can grow without
    /// breaking `switch`es.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable { case invalidData, template, font, render, qr, image, io }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// The document data does not match the format (missing field, bad date, bad image).
        public static let invalidData = Code(.invalidData)
        /// The template is malformed or refers to a field the data does not have.
        public static let template = Code(.template)
        /// No usable font, or text that the fonts cannot show.
        public static let font = Code(.font)
        /// cairo failed to draw or write the document.
        public static let render = Code(.render)
        /// The QR code could not be encoded (too long).
        public static let qr = Code(.qr)
        /// An embedded image (the signature) could not be decoded.
        public static let image = Code(.image)
        /// A file could not be read or written.
        public static let io = Code(.io)

        /// The code as it appears in logs and print job reasons.
        public var description: String { base.rawValue }
    }

    /// The kind of failure.
    public var code: Code
    /// What happened, in words a technician can act on.
    public var message: String
    /// The underlying cause (a JSON decoding error, a cairo status), for logs.
    public var cause: (any Error & Sendable)?

    /// Creates an error.
    public init(_ code: Code, _ message: String, cause: (any Error & Sendable)? = nil) {
        self.code = code
        self.message = message
        self.cause = cause
    }

    /// `code: message`.
    public var description: String { "\(code): \(message)" }
}
