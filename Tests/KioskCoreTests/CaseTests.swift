import Foundation
import KioskCore
import Testing

@Suite("Case model")
struct CaseTests {
    static let bundle = ServiceBundle(
        id: "demo", name: "示例", leadDepartment: "县卫健委", version: "1",
        validFrom: CivilDate(dayNumber: 20000),
        items: [
            ServiceItem(
                id: "a", name: "甲", department: "县卫健委", legalLimit: TimeLimit(days: 10, counting: .working),
                promisedLimit: TimeLimit(days: 2, counting: .working)),
            ServiceItem(
                id: "b", name: "乙", department: "县公安局", legalLimit: TimeLimit(days: 10, counting: .working),
                promisedLimit: TimeLimit(days: 2, counting: .working), dependsOn: ["a"]),
        ])
    static let day = CivilDate(dayNumber: 20400)
    static let at = Date(timeIntervalSince1970: 1_762_000_000)

    static func newCase() throws -> BundleCase {
        let receipt = try #require(ReceiptNumber(division: 410_721, day: day, kiosk: 12, sequence: 42))
        return BundleCase(id: CaseID(at: at), receipt: receipt, bundle: bundle, day: day, at: at)
    }

    /// A path through the state machine that reaches `state` with legal moves only, and the
    /// state the item was paused from when `state` stops the clock.
    static func path(to state: ItemState, pausedFrom: ItemState? = nil) -> [ItemState] {
        switch state {
        case .received: []
        case .accepted: [.accepted]
        case .notAccepted: [.notAccepted]
        case .inReview: [.accepted, .inReview]
        case .awaitingSupplements: pausedFrom == .received ? [.awaitingSupplements] : [.accepted, .inReview, .awaitingSupplements]
        case .suspended: [.accepted, .inReview, .suspended]
        case .approved: [.accepted, .inReview, .approved]
        case .denied: [.accepted, .inReview, .denied]
        case .withdrawn: [.withdrawn]
        case .delivered: [.accepted, .inReview, .approved, .delivered]
        case .archived: [.accepted, .inReview, .approved, .delivered, .archived]
        }
    }

    /// The transitions the procedure allows, written out in full (not derived from the code).
    static let allowed: [ItemState: Set<ItemState>] = [
        .received: [.accepted, .notAccepted, .awaitingSupplements, .withdrawn],
        .accepted: [.inReview, .withdrawn],
        .inReview: [.awaitingSupplements, .suspended, .approved, .denied, .withdrawn],
        .awaitingSupplements: [.inReview, .denied, .withdrawn],  // paused during review
        .suspended: [.inReview, .denied, .withdrawn],
        .approved: [.delivered],
        .denied: [.delivered, .archived],
        .notAccepted: [.delivered, .archived],
        .withdrawn: [.archived],
        .delivered: [.archived],
        .archived: [],
    ]

    static let pairs: [(ItemState, ItemState)] = ItemState.allCases.flatMap { from in
        ItemState.allCases.map { (from, $0) }
    }

    @Test("every transition not in the procedure is refused, every one in it is applied", arguments: pairs)
    func transition(from: ItemState, to: ItemState) throws {
        var bundleCase = try Self.newCase()
        for step in Self.path(to: from) {
            try bundleCase.move("a", to: step, day: Self.day, at: Self.at, actor: "县卫健委")
        }
        #expect(bundleCase.state(of: "a") == from)
        let historyBefore = bundleCase.history.count
        let legal = Self.allowed[from, default: []].contains(to)
        if legal {
            try bundleCase.move("a", to: to, day: Self.day, at: Self.at, actor: "县卫健委")
            #expect(bundleCase.state(of: "a") == to)
            #expect(bundleCase.history.count == historyBefore + 1)
            #expect(bundleCase.history.last?.from == from)
        } else {
            #expect(throws: CaseError.self) {
                try bundleCase.move("a", to: to, day: Self.day, at: Self.at, actor: "县卫健委")
            }
            #expect(bundleCase.state(of: "a") == from)
            #expect(bundleCase.history.count == historyBefore)
        }
    }

    @Test("supplements asked before acceptance resume to reception, never to review")
    func supplementsBeforeAcceptance() throws {
        var bundleCase = try Self.newCase()
        try bundleCase.move("a", to: .awaitingSupplements, day: Self.day, at: Self.at, actor: "县卫健委")
        #expect(throws: CaseError.self) {
            try bundleCase.move("a", to: .inReview, day: Self.day, at: Self.at, actor: "县卫健委")
        }
        #expect(throws: CaseError.self) {
            try bundleCase.move("a", to: .denied, day: Self.day, at: Self.at, actor: "县卫健委")
        }
        try bundleCase.move("a", to: .received, day: Self.day.adding(days: 3), at: Self.at, actor: "applicant")
        #expect(bundleCase.state(of: "a") == .received)
        #expect(bundleCase.items["a"]?.stops.count == 1)
    }

    @Test("time spent awaiting supplements becomes a clock stop")
    func clockStopsFromHistory() throws {
        var bundleCase = try Self.newCase()
        let d = Self.day
        try bundleCase.move("a", to: .accepted, day: d, at: Self.at, actor: "县卫健委")
        try bundleCase.move("a", to: .inReview, day: d.adding(days: 1), at: Self.at, actor: "县卫健委")
        try bundleCase.move("a", to: .awaitingSupplements, day: d.adding(days: 2), at: Self.at, actor: "县卫健委", reason: "补正")
        #expect(
            bundleCase.clockStops(asOf: d.adding(days: 4))["a"] == [
                ClockStop(first: d.adding(days: 2), last: d.adding(days: 4), reason: .supplement)
            ])
        try bundleCase.move("a", to: .inReview, day: d.adding(days: 5), at: Self.at, actor: "applicant")
        #expect(
            bundleCase.clockStops(asOf: d.adding(days: 9))["a"] == [
                ClockStop(first: d.adding(days: 2), last: d.adding(days: 4), reason: .supplement)
            ])
        #expect(bundleCase.acceptanceDay == d)
        #expect(throws: CaseError.self) {
            try bundleCase.move("a", to: .approved, day: d, at: Self.at, actor: "县卫健委")
        }
    }

    @Test("withdrawal stops every undecided item and leaves decided ones")
    func withdrawal() throws {
        var bundleCase = try Self.newCase()
        for state in [ItemState.accepted, .inReview, .approved] {
            try bundleCase.move("a", to: state, day: Self.day, at: Self.at, actor: "县卫健委")
        }
        let withdrawn = try bundleCase.withdraw(day: Self.day, at: Self.at)
        #expect(withdrawn == ["b"])
        #expect(bundleCase.state(of: "a") == .approved)
        #expect(bundleCase.state(of: "b") == .withdrawn)
        #expect(throws: CaseError.self) {
            try bundleCase.move("nope", to: .accepted, day: Self.day, at: Self.at, actor: "县卫健委")
        }
    }

    @Test("case ids are UUIDv7 carrying their creation time and sort by it")
    func caseIDs() throws {
        var generator = SystemRandomNumberGenerator()
        let early = CaseID(milliseconds: 1_762_000_000_000, using: &generator)
        let late = CaseID(milliseconds: 1_762_000_000_001, using: &generator)
        #expect(early < late)
        #expect(early.milliseconds == 1_762_000_000_000)
        #expect(early.description.count == 36)
        #expect(Array(early.description)[14] == "7")
        #expect("89ab".contains(Array(early.description)[19]))
        #expect(CaseID(early.description) == early)
        #expect(CaseID("00000000-0000-4000-8000-000000000000") == nil)  // version 4
    }

    @Test("receipt numbers print, parse and catch a mistyped digit")
    func receiptNumbers() throws {
        let day = try #require(CivilDate(iso: "2026-11-23"))
        let receipt = try #require(ReceiptNumber(division: 410_721, day: day, kiosk: 12, sequence: 42))
        let text = receipt.description
        #expect(text.hasPrefix("410721-20261123-0012-00042-"))
        #expect(ReceiptNumber(text) == receipt)
        #expect(ReceiptNumber(text.replacingOccurrences(of: "-", with: "")) == receipt)
        // Change any one digit and the check fails.
        let digits = Array(text)
        for index in digits.indices where digits[index].isNumber {
            var changed = digits
            changed[index] = digits[index] == "9" ? "0" : Character(String((digits[index].wholeNumberValue ?? 0) + 1))
            #expect(ReceiptNumber(String(changed)) == nil, "mistyped digit at \(index) not caught")
        }
        #expect(ReceiptNumber(division: 410_721, day: day, kiosk: 0, sequence: 1) == nil)
        #expect(ReceiptNumber("410721-20261331-0012-00042-0") == nil)
    }
}
