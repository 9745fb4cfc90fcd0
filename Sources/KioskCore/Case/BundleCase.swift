import Foundation

/// A refused change to a case.
public struct CaseError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of refusal; a struct wrapping a private enum so that codes can grow without
    /// breaking `switch`es.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case illegalTransition = "illegal_transition"
            case unknownItem = "unknown_item"
            case eventBeforeLast = "event_before_last"
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// The item cannot go from its state to the one asked for.
        public static let illegalTransition = Code(.illegalTransition)
        /// The case has no such item.
        public static let unknownItem = Code(.unknownItem)
        /// The change is dated before the last one recorded.
        public static let eventBeforeLast = Code(.eventBeforeLast)

        /// The code as it appears in JSON and logs.
        public var description: String { base.rawValue }
    }

    /// Kind of refusal.
    public var code: Code
    /// Why, for a technician or the platform; holds no personal data.
    public var message: String
    /// The underlying cause, for logs.
    public var cause: (any Error & Sendable)?

    /// Creates an error.
    public init(_ code: Code, _ message: String, cause: (any Error & Sendable)? = nil) {
        self.code = code
        self.message = message
        self.cause = cause
    }

    /// `message`.
    public var description: String { message }

    /// Errors are equal when their code and message are; the cause is for logs only.
    public static func == (lhs: CaseError, rhs: CaseError) -> Bool {
        lhs.code == rhs.code && lhs.message == rhs.message
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(code)
        hasher.combine(message)
    }
}

/// One entry of a case's history: an item moved from one state to another.
public struct CaseEvent: Sendable, Hashable, Codable {
    /// The item.
    public var item: ItemID
    /// State before (`nil` for the reception that created the item).
    public var from: ItemState?
    /// State after.
    public var to: ItemState
    /// The civil day (Beijing time) it happened, used for clock stops.
    public var day: CivilDate
    /// The instant it was recorded.
    public var at: Date
    /// Who did it: `kiosk`, `applicant`, or a department's name. Never a person's name.
    public var actor: String
    /// Why, when the law wants a reason (refusals, supplements); never personal data.
    public var reason: String?
}

/// One item's place in a case.
public struct ItemProgress: Sendable, Hashable, Codable {
    /// Current state.
    public var state: ItemState
    /// The state the item was in when it was paused for supplements or a special procedure.
    public var pausedFrom: ItemState?
    /// Day it was paused.
    public var pausedOn: CivilDate?
    /// Clock stops so far (closed ones).
    public var stops: [ClockStop]
}

/// A bundle application: its identifier, receipt number, every item's state and the history
/// of every change. Only legal transitions are applied; the rest are refused with a reason.
public struct BundleCase: Sendable, Hashable, Codable {
    /// Identifier (UUIDv7).
    public let id: CaseID
    /// Receipt number printed for the applicant.
    public let receipt: ReceiptNumber
    /// The bundle applied for.
    public let bundle: BundleID
    /// The bundle definition's version at reception.
    public let bundleVersion: String
    /// Items by id.
    public private(set) var items: [ItemID: ItemProgress]
    /// Every change, oldest first.
    public private(set) var history: [CaseEvent]

    /// A case received on `day` at `at`: every item of `bundle` starts as received.
    public init(id: CaseID, receipt: ReceiptNumber, bundle: ServiceBundle, day: CivilDate, at: Date) {
        self.id = id
        self.receipt = receipt
        self.bundle = bundle.id
        self.bundleVersion = bundle.version
        var items: [ItemID: ItemProgress] = [:]
        var history: [CaseEvent] = []
        for item in bundle.items where items[item.id] == nil {
            items[item.id] = ItemProgress(state: .received, pausedFrom: nil, pausedOn: nil, stops: [])
            history.append(CaseEvent(item: item.id, from: nil, to: .received, day: day, at: at, actor: "kiosk", reason: nil))
        }
        self.items = items
        self.history = history
    }

    /// The state of `item`.
    public func state(of item: ItemID) -> ItemState? { items[item]?.state }

    /// Moves `item` to `state` if the move is legal, recording it; otherwise throws and leaves
    /// the case unchanged.
    public mutating func move(
        _ item: ItemID, to state: ItemState, day: CivilDate, at: Date, actor: String, reason: String? = nil
    ) throws(CaseError) {
        guard var progress = items[item] else {
            throw CaseError(.unknownItem, "the case has no item '\(item)'")
        }
        if let last = history.last, day < last.day {
            throw CaseError(
                .eventBeforeLast, "a change dated \(day) cannot follow one dated \(last.day)")
        }
        let from = progress.state
        guard from.legalNextStates.contains(state), resumes(progress, to: state) else {
            throw CaseError(
                .illegalTransition,
                "item '\(item)' cannot go from \(from.rawValue) to \(state.rawValue)")
        }
        if from.stopsClock, let pausedOn = progress.pausedOn {
            let reason: ClockStop.Reason = from == .suspended ? .specialProcedure : .supplement
            // The clock is stopped from the pause day to the day before it runs again.
            let last = max(pausedOn, day.adding(days: -1))
            progress.stops.append(ClockStop(first: pausedOn, last: last, reason: reason))
            progress.pausedFrom = nil
            progress.pausedOn = nil
        }
        if state.stopsClock {
            progress.pausedFrom = from
            progress.pausedOn = day
        }
        progress.state = state
        items[item] = progress
        history.append(CaseEvent(item: item, from: from, to: state, day: day, at: at, actor: actor, reason: reason))
    }

    /// The applicant withdraws the application: every item not yet decided stops.
    /// Returns the items withdrawn.
    @discardableResult
    public mutating func withdraw(day: CivilDate, at: Date) throws(CaseError) -> [ItemID] {
        let open = items.filter { !$0.value.state.isDecided }.keys.sorted()
        for item in open {
            try move(item, to: .withdrawn, day: day, at: at, actor: "applicant")
        }
        return open
    }

    /// The day the first item was accepted: the case's clock starts the next day.
    public var acceptanceDay: CivilDate? {
        history.first { $0.to == .accepted }?.day
    }

    /// Clock stops of every item, including one still open (up to `today`).
    public func clockStops(asOf today: CivilDate) -> [ItemID: [ClockStop]] {
        items.mapValues { progress in
            var stops = progress.stops
            if progress.state.stopsClock, let pausedOn = progress.pausedOn {
                stops.append(
                    ClockStop(
                        first: pausedOn, last: max(pausedOn, today),
                        reason: progress.state == .suspended ? .specialProcedure : .supplement))
            }
            return stops
        }
    }

    private func resumes(_ progress: ItemProgress, to state: ItemState) -> Bool {
        guard progress.state.stopsClock, let pausedFrom = progress.pausedFrom else { return true }
        switch state {
        case .received, .inReview: return state == pausedFrom
        case .notAccepted: return pausedFrom == .received
        case .denied: return pausedFrom == .inReview
        default: return true
        }
    }
}
