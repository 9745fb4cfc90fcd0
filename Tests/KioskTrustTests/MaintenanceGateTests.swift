import Foundation
import KioskTrust
import Testing

/// The two-factor way into maintenance without a process or a clock: PIN and ticket, the
/// lockout and its end, the refusals a technician or an impostor would meet, the time bound.
@Suite("Maintenance gate (PIN + platform ticket)")
struct MaintenanceGateTests {
    static let start = Date(timeIntervalSince1970: 1_800_000_000)
    /// A low scrypt cost keeps the suite fast; the cost is stored with each hash.
    static let cost = TechnicianPIN.Cost(n: 1 << 10, r: 8, p: 1)
    /// (A hash that failed would be missing, and every test using it would fail.)
    static let roster = TechnicianRoster(
        technicians: ["zhang": "135790", "li": "246801"].compactMapValues { try? TechnicianPIN(pin: $0, cost: cost) })
    static let code = "12345678"
    static let tickets = [
        ticket(kiosk: "K-1", technician: "zhang", code: code, minutes: 60),
        ticket(kiosk: "K-2", technician: "zhang", code: "87654321", minutes: 60),
        ticket(kiosk: "K-1", technician: "li", code: "11112222", minutes: 60),
        ticket(kiosk: "K-1", technician: "zhang", code: "99998888", minutes: -1),
    ]

    static func ticket(kiosk: String, technician: String, code: String, minutes: Double) -> MaintenanceTicket {
        MaintenanceTicket(
            kiosk: kiosk, technician: technician, codeSHA256: MaintenanceTicket.digest(kiosk: kiosk, technician: technician, code: code),
            notAfter: start.addingTimeInterval(minutes * 60))
    }

    func attempt(
        _ gate: inout MaintenanceGate, technician: String = "zhang", pin: String = "135790", code: String = Self.code,
        citizen: Bool = false, at seconds: TimeInterval = 0
    ) -> MaintenanceGate.Outcome {
        gate.enter(
            .init(technician: technician, pin: pin, code: code), roster: Self.roster, tickets: Self.tickets, citizenSessionRuns: citizen,
            token: "t\(seconds)", now: Self.start.addingTimeInterval(seconds))
    }

    @Test("The right PIN and this kiosk's ticket open maintenance for the bound, then it ends by itself")
    func entersAndEnds() {
        var gate = MaintenanceGate(kioskID: "K-1", rules: .init(bound: 1800))
        guard case .entered(let visit) = attempt(&gate) else {
            Issue.record("not entered")
            return
        }
        #expect(visit.technician == "zhang" && visit.until == Self.start.addingTimeInterval(1800))
        #expect(gate.current(now: Self.start.addingTimeInterval(1799)) == visit)
        #expect(gate.expire(now: Self.start.addingTimeInterval(1799)) == nil)
        #expect(gate.expire(now: Self.start.addingTimeInterval(1800)) == visit, "the time bound ends it")
        #expect(gate.current(now: Self.start.addingTimeInterval(1800)) == nil)
    }

    @Test("Leaving needs the visit's token")
    func leaves() {
        var gate = MaintenanceGate(kioskID: "K-1")
        _ = attempt(&gate)
        #expect(gate.leave(token: "other") == nil)
        #expect(gate.leave(token: "t0.0")?.technician == "zhang")
        #expect(gate.current(now: Self.start) == nil)
    }

    @Test("A wrong PIN counts; five in a row lock the gate for 15 minutes, even against the right factors; then it opens")
    func lockout() {
        var gate = MaintenanceGate(kioskID: "K-1")
        for try_ in 1...4 {
            #expect(
                attempt(&gate, pin: "000000", at: Double(try_))
                    == .refused(.wrongFactors(pinRight: false, ticket: nil, remaining: 5 - try_)))
        }
        let until = Self.start.addingTimeInterval(5 + 900)
        #expect(attempt(&gate, pin: "000000", at: 5) == .refused(.locked(until: until, justNow: true)))
        #expect(gate.lockout == .init(failures: 5, lockedUntil: until))
        #expect(attempt(&gate, at: 6) == .refused(.locked(until: until, justNow: false)), "locked even with the right PIN")
        #expect(attempt(&gate, at: 904) == .refused(.locked(until: until, justNow: false)))
        guard case .entered = attempt(&gate, at: 905) else {
            Issue.record("still locked after the lockout")
            return
        }
        #expect(gate.lockout == .init())
    }

    @Test("A lockout persisted and read back still holds (a restart gives no more tries)")
    func persistedLockout() {
        var gate = MaintenanceGate(kioskID: "K-1", rules: .init(maximumFailures: 2))
        _ = attempt(&gate, pin: "1")
        _ = attempt(&gate, pin: "1")
        var restarted = MaintenanceGate(kioskID: "K-1", lockout: gate.lockout)
        guard case .refused(.locked) = attempt(&restarted, at: 10) else {
            Issue.record("the restarted gate is open")
            return
        }
    }

    @Test("A success resets the count of failures")
    func successResets() {
        var gate = MaintenanceGate(kioskID: "K-1")
        for _ in 1...4 { _ = attempt(&gate, pin: "000000") }
        guard case .entered(let visit) = attempt(&gate) else {
            Issue.record("not entered")
            return
        }
        _ = gate.leave(token: visit.token)
        #expect(attempt(&gate, pin: "000000") == .refused(.wrongFactors(pinRight: false, ticket: nil, remaining: 4)))
    }

    @Test(
        "A code that is not a valid ticket for this kiosk and technician is refused, and counts",
        arguments: [
            ("99998888", TicketRefusal.expired), ("87654321", .otherKiosk), ("11112222", .otherTechnician), ("00000000", .unknown),
        ])
    func ticketRefused(code: String, reason: TicketRefusal) {
        var gate = MaintenanceGate(kioskID: "K-1")
        #expect(attempt(&gate, code: code) == .refused(.wrongFactors(pinRight: true, ticket: reason, remaining: 4)))
        #expect(gate.visit == nil)
    }

    @Test("Another technician's PIN with one's own name, or an unknown name, is a wrong PIN")
    func wrongTechnician() {
        var gate = MaintenanceGate(kioskID: "K-1")
        #expect(attempt(&gate, pin: "246801") == .refused(.wrongFactors(pinRight: false, ticket: nil, remaining: 4)))
        #expect(attempt(&gate, technician: "wang") == .refused(.wrongFactors(pinRight: false, ticket: .otherTechnician, remaining: 3)))
    }

    @Test("Never while a citizen's session runs, nor a second visit; neither counts as a failure")
    func citizenFirst() {
        var gate = MaintenanceGate(kioskID: "K-1")
        #expect(attempt(&gate, citizen: true) == .refused(.citizenSession))
        #expect(gate.lockout.failures == 0)
        _ = attempt(&gate)
        #expect(attempt(&gate, technician: "li", pin: "246801", code: "11112222") == .refused(.alreadyOn))
        #expect(gate.lockout.failures == 0)
    }

    @Test("A PIN's hash is salted: the same PIN twice gives two hashes, each matching it only")
    func pinHash() throws {
        let one = try TechnicianPIN(pin: "135790", cost: Self.cost)
        let two = try TechnicianPIN(pin: "135790", cost: Self.cost)
        #expect(one.hash != two.hash)
        #expect(one.matches("135790") && two.matches("135790"))
        #expect(!one.matches("135791") && !one.matches(""))
        #expect(TechnicianPIN.problem(with: "12345") != nil && TechnicianPIN.problem(with: "12345a") != nil)
        #expect(TechnicianPIN.problem(with: "123456") == nil)
    }
}
