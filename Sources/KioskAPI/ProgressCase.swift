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
        /// The item's id in the catalogue (what the screen names to print its result).
        public var id: String?
        /// Collecting the result (统一出件), once a result is ready; nil before.
        public var result: ResultCollectionView?

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
    /// How the citizen chose to collect the results (`window`, `kiosk`, `post`), when recorded.
    public var resultCollection: String?

    public init(receiptNumber: String, bundleName: String, receivedAt: Date, items: [Item], ready: Bool) {
        self.receiptNumber = receiptNumber
        self.bundleName = bundleName
        self.receivedAt = receivedAt
        self.items = items
        self.ready = ready
    }
}

/// An item's result as "check my progress" offers it (统一出件).
public struct ResultCollectionView: Encodable, Sendable, Hashable {
    /// `window`, `kiosk` or `post`: where the citizen chose to collect it.
    public var collection: String
    /// Where the result goes, in the citizen's words (已领取 once printed here).
    public var notice: String
    /// The screen offers to print it here (the citizen chose 自助终端打印).
    public var printable: Bool
    /// Times it was printed at this kiosk (1: collected; more: reprints).
    public var printed: Int
    /// A print of it under way or just ended in this session: `downloading`, `printing`,
    /// `waiting` (a printer fault), `printed`, `failed`.
    public var printState: String?
    /// Words for the citizen about that print (paper out, platform unreachable...).
    public var printMessage: String?

    public init(
        collection: String, notice: String, printable: Bool, printed: Int, printState: String? = nil, printMessage: String? = nil
    ) {
        self.collection = collection
        self.notice = notice
        self.printable = printable
        self.printed = printed
        self.printState = printState
        self.printMessage = printMessage
    }
}
