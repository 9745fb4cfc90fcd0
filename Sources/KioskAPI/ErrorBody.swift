/// The body of every error answer of the local and admin APIs, one shape for all:
/// `{"error": {"code", "message", "fields"}}`. The screen and `kioskctl` show `message` as it
/// is; `code` is stable for programs; `fields` names the form fields a problem is about.
public struct ErrorBody: Codable, Sendable, Hashable {
    public struct Detail: Codable, Sendable, Hashable {
        /// Stable, kebab-case (`no-session`, `not-found`, `method-not-allowed`).
        public var code: String
        /// Words the reader can act on (Chinese first on the citizen's screen).
        public var message: String
        /// Per-field problems of a form (field key → message); absent when there are none.
        public var fields: [String: String]?
    }

    public var error: Detail

    public init(code: String, message: String, fields: [String: String]? = nil) {
        error = Detail(code: code, message: message, fields: fields?.isEmpty == true ? nil : fields)
    }
}
