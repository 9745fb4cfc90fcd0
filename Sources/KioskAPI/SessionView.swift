import Foundation
import KioskCore

/// Everything the screen needs to draw the current step, and nothing it does not: personal
/// values appear only on the steps that show them, ID numbers masked.
public struct SessionView: Encodable, Sendable {
    public struct Idle: Encodable, Sendable {
        public var timeoutSeconds: Int
        public var remainingSeconds: Int
        /// The countdown is shown when `remainingSeconds` falls below this.
        public var countdownSeconds: Int

        public init(timeoutSeconds: Int, remainingSeconds: Int, countdownSeconds: Int) {
            self.timeoutSeconds = timeoutSeconds
            self.remainingSeconds = remainingSeconds
            self.countdownSeconds = countdownSeconds
        }
    }

    public struct BundleInfo: Encodable, Sendable {
        public struct Item: Encodable, Sendable {
            public var name: String
            public var department: String
            public var promisedDays: String

            public init(name: String, department: String, promisedDays: String) {
                self.name = name
                self.department = department
                self.promisedDays = promisedDays
            }
        }
        public var id: String
        public var name: String
        public var leadDepartment: String
        public var items: [Item]
        /// The identity documents that may apply, by name; absent when any card may.
        public var cardTypes: [String]?
        /// Where materials the kiosk cannot take are handed in.
        public var window: String?

        public init(id: String, name: String, leadDepartment: String, items: [Item]) {
            self.id = id
            self.name = name
            self.leadDepartment = leadDepartment
            self.items = items
        }
    }

    public struct Field: Encodable, Sendable {
        public var key: String
        public var label: String
        public var type: String
        public var options: [String]?
        public var value: String?
        /// `id_card`, `shared_data`, `earlier_application`, `citizen`; `situation` when an answer
        /// set it; `department` when only shared data may give it and gave nothing (the
        /// department completes it); `waiting` when, in that case, an item waits for it (the
        /// item proceeds once the data is available); absent while empty.
        public var source: String?
        public var editable: Bool
        /// Shown as a question on the form (empty, or typed by the citizen); the rest is shown as known.
        public var asked: Bool
        /// Must be filled in before going on (the situation may make a field optional).
        public var required = true

        public init(
            key: String, label: String, type: String, options: [String]?, value: String?, source: String?, editable: Bool, asked: Bool
        ) {
            self.key = key
            self.label = label
            self.type = type
            self.options = options
            self.value = value
            self.source = source
            self.editable = editable
            self.asked = asked
        }
    }

    public struct Material: Encodable, Sendable {
        public var id: String
        public var name: String
        public var original: Bool
        public var choice: MaterialChoice?
        public var allowed: [MaterialChoice]
        /// The last day to hand it in, when it follows later (deferred or at the window).
        public var dueBy: String?
        /// Where to hand it in, when that is the window.
        public var place: String?

        public init(id: String, name: String, original: Bool, choice: MaterialChoice?, allowed: [MaterialChoice]) {
            self.id = id
            self.name = name
            self.original = original
            self.choice = choice
            self.allowed = allowed
        }
    }

    /// A situation question (问答式引导) and the citizen's answer so far.
    public struct Question: Encodable, Sendable {
        public struct Answer: Encodable, Sendable {
            public var id: String
            public var label: String

            public init(id: String, label: String) {
                self.id = id
                self.label = label
            }
        }
        public var id: String
        public var text: String
        public var answers: [Answer]
        /// The answer chosen, if any.
        public var answer: String?

        public init(id: String, text: String, answers: [Answer], answer: String?) {
            self.id = id
            self.text = text
            self.answers = answers
            self.answer = answer
        }
    }

    /// A field of the bundle the citizen's situation does not ask, and why.
    public struct SkippedField: Encodable, Sendable {
        public var key: String
        public var label: String
        /// The answers that left it out, e.g. `正常退休`.
        public var reason: String

        public init(key: String, label: String, reason: String) {
            self.key = key
            self.label = label
            self.reason = reason
        }
    }

    public struct ReceiptItem: Encodable, Sendable, Hashable {
        public var name: String
        public var department: String
        public var promisedBy: String?
        /// The labels of the shared-data fields this item waits for (offline): it proceeds
        /// once they are available, so it has no promised date yet. Absent when it does not wait.
        public var waitsFor: [String]?

        public init(name: String, department: String, promisedBy: String?) {
            self.name = name
            self.department = department
            self.promisedBy = promisedBy
        }
    }

    public enum PrintState: Encodable, Sendable {
        case printing
        case printed
        /// Handed to a printer that cannot confirm printing: the screen asks the citizen to look.
        case sent
        /// Shown on screen instead (printer out of paper or too slow): the status address and its QR code.
        case onScreen(reason: String, qrSVG: String, statusURL: String)
        case failed

        private enum CodingKeys: String, CodingKey { case state, reason, qrSVG, statusURL }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            switch self {
            case .printing: try container.encode("printing", forKey: .state)
            case .printed: try container.encode("printed", forKey: .state)
            case .sent: try container.encode("sent", forKey: .state)
            case .failed: try container.encode("failed", forKey: .state)
            case let .onScreen(reason, qrSVG, statusURL):
                try container.encode("on_screen", forKey: .state)
                try container.encode(reason, forKey: .reason)
                try container.encode(qrSVG, forKey: .qrSVG)
                try container.encode(statusURL, forKey: .statusURL)
            }
        }
    }

    public struct Receipt: Encodable, Sendable {
        public var number: String
        public var items: [ReceiptItem]
        public var print: PrintState

        public init(number: String, items: [ReceiptItem], print: PrintState) {
            self.number = number
            self.items = items
            self.print = print
        }
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
    /// The bundle's situation questions, asked before the form.
    public var questions: [Question]?
    /// Fields not asked in the citizen's situation, with the reason.
    public var skipped: [SkippedField]?
    /// Why the card placed cannot be used here, and what to do instead.
    public var cardRefusal: String?
    public var applicant: String?
    /// The card holder applies for someone else (a guardian for the person): `applicant`
    /// then names who came to the kiosk, and the form's applicant fields are the person's.
    public var onBehalf: Bool?
    public var form: [Field]?
    public var materials: [Material]?
    public var needsPledge: Bool?
    public var signed: Bool?
    public var receipt: Receipt?
    public var progress: [ProgressCase]?
    /// A query-and-print visit (查询打印).
    public var certificate: CertificateView?

    public init(step: SessionStep, alert: String?, cardPresent: Bool, idle: Idle, online: Bool, sequence: Int) {
        self.step = step
        self.alert = alert
        self.cardPresent = cardPresent
        self.idle = idle
        self.online = online
        self.sequence = sequence
    }
}
