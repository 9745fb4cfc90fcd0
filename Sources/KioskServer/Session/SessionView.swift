import Foundation
import KioskCore
import KioskPrinting

/// The attract screen's offer: the bundles, and whether the platform is reachable.
public struct OfferView: Encodable, Sendable {
    public struct Bundle: Encodable, Sendable {
        public var id: String
        public var name: String
        public var leadDepartment: String
        public var items: Int
    }

    public var kioskID: String
    public var online: Bool
    public var bundles: [Bundle]
    public var idleTimeoutSeconds: Int
    /// "Query and print" services (need the platform).
    public var queryServices: [QueryService]
}

/// A citizen's case as "check my progress" shows it.
public struct ProgressCase: Encodable, Sendable, Hashable {
    public struct Item: Encodable, Sendable, Hashable {
        public var name: String
        public var department: String
        public var state: String
        /// The state in the citizen's words.
        public var label: String
    }

    public var receiptNumber: String
    public var bundleName: String
    public var receivedAt: Date
    public var items: [Item]
    /// Some result is ready to collect (统一出件).
    public var ready: Bool
    /// The receipt was reprinted in this session.
    public var reprinted = false
}

/// Everything the screen needs to draw the current step, and nothing it does not: personal
/// values appear only on the steps that show them, ID numbers masked.
public struct SessionView: Encodable, Sendable {
    public struct Idle: Encodable, Sendable {
        public var timeoutSeconds: Int
        public var remainingSeconds: Int
        /// The countdown is shown when `remainingSeconds` falls below this.
        public var countdownSeconds: Int
    }

    public struct BundleInfo: Encodable, Sendable {
        public struct Item: Encodable, Sendable {
            public var name: String
            public var department: String
            public var promisedDays: String
        }
        public var id: String
        public var name: String
        public var leadDepartment: String
        public var items: [Item]
    }

    public struct Field: Encodable, Sendable {
        public var key: String
        public var label: String
        public var type: String
        public var options: [String]?
        public var value: String?
        /// `id_card`, `shared_data`, `earlier_application`, `citizen`; absent while empty.
        public var source: String?
        public var editable: Bool
        /// Shown as a question on the form (empty, or typed by the citizen); the rest is shown as known.
        public var asked: Bool
    }

    public struct Material: Encodable, Sendable {
        public var id: String
        public var name: String
        public var original: Bool
        public var choice: MaterialChoice?
        public var allowed: [MaterialChoice]
    }

    public struct ReceiptItem: Encodable, Sendable, Hashable {
        public var name: String
        public var department: String
        public var promisedBy: String?
    }

    public enum PrintState: Encodable, Sendable {
        case printing
        case printed
        case onScreen(ScreenReceipt)
        case failed

        private enum CodingKeys: String, CodingKey { case state, reason, qrSVG, statusURL }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            switch self {
            case .printing: try container.encode("printing", forKey: .state)
            case .printed: try container.encode("printed", forKey: .state)
            case .failed: try container.encode("failed", forKey: .state)
            case let .onScreen(receipt):
                try container.encode("on_screen", forKey: .state)
                try container.encode(receipt.reason, forKey: .reason)
                try container.encode(receipt.qrSVG, forKey: .qrSVG)
                try container.encode(receipt.statusURL, forKey: .statusURL)
            }
        }
    }

    public struct Receipt: Encodable, Sendable {
        public var number: String
        public var items: [ReceiptItem]
        public var print: PrintState
    }

    public var step: SessionStep
    /// Returned once, when the session starts; the page keeps it in memory only.
    public var token: String?
    public var alert: String?
    public var cardPresent: Bool
    public var idle: Idle
    public var online: Bool
    public var sequence: Int
    public var bundle: BundleInfo?
    public var applicant: String?
    public var form: [Field]?
    public var materials: [Material]?
    public var needsPledge: Bool?
    public var signed: Bool?
    public var receipt: Receipt?
    public var progress: [ProgressCase]?

    init(step: SessionStep, alert: String?, cardPresent: Bool, idle: Idle, online: Bool, sequence: Int) {
        self.step = step
        self.alert = alert
        self.cardPresent = cardPresent
        self.idle = idle
        self.online = online
        self.sequence = sequence
    }
}
