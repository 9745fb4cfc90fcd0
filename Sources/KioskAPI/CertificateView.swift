/// 查询打印 on screen: the service chosen, then where its certificate stands. Personal values
/// in the preview are masked by the platform; the paper itself is never shown.
public struct CertificateView: Encodable, Sendable, Equatable {
    /// `asking` (the platform is asked), `printing`, `waiting` (the printer reports a fault, see
    /// `message`), `printed` (CUPS completed the job), `refused` (no record, or a card the
    /// service does not take), `unreachable` (the platform did not answer), `failed`.
    public var state: String
    /// What the citizen should know or do, in plain Chinese.
    public var message: String?
    public var serviceName: String
    /// What the document states (shown before the card is placed).
    public var holds: String?
    public var verificationCode: String?
    public var preview: [Line]?

    public struct Line: Encodable, Sendable, Equatable {
        public var label: String
        public var value: String

        public init(label: String, value: String) {
            self.label = label
            self.value = value
        }
    }

    public init(state: String, message: String? = nil, serviceName: String, holds: String? = nil) {
        self.state = state
        self.message = message
        self.serviceName = serviceName
        self.holds = holds
    }
}
