import Foundation

/// A citizen's case as "check my progress" shows it.
public struct ProgressCase: Encodable, Sendable, Hashable {
    public struct Item: Encodable, Sendable, Hashable {
        public var name: String
        public var department: String
        public var state: String
        /// The state in the citizen's words.
        public var label: String
        /// Why, where the department gave a reason (不予受理, 补正...).
        public var reason: String?
        /// The date the department promised (YYYY-MM-DD).
        public var promisedBy: String?
        /// When the platform last reported this item.
        public var updatedAt: Date?

        public init(
            name: String, department: String, state: String, label: String, reason: String? = nil, promisedBy: String? = nil,
            updatedAt: Date? = nil
        ) {
            self.reason = reason
            self.promisedBy = promisedBy
            self.updatedAt = updatedAt
            self.name = name
            self.department = department
            self.state = state
            self.label = label
        }
    }

    public var receiptNumber: String
    public var bundleName: String
    public var receivedAt: Date
    public var items: [Item]
    /// Some result is ready to collect (统一出件).
    public var ready: Bool
    /// The receipt was reprinted in this session.
    public var reprinted = false

    public init(receiptNumber: String, bundleName: String, receivedAt: Date, items: [Item], ready: Bool) {
        self.receiptNumber = receiptNumber
        self.bundleName = bundleName
        self.receivedAt = receivedAt
        self.items = items
        self.ready = ready
    }
}
