import Foundation

/// A citizen's case as "check my progress" shows it.
public struct ProgressCase: Encodable, Sendable, Hashable {
    public struct Item: Encodable, Sendable, Hashable {
        public var name: String
        public var department: String
        public var state: String
        /// The state in the citizen's words.
        public var label: String

        public init(name: String, department: String, state: String, label: String) {
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
