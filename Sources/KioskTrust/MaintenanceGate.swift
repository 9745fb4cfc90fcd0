import Foundation

/// The way into the kiosk's maintenance mode, as a pure state machine: two factors (the
/// technician's PIN and a platform ticket's code for this kiosk), a lockout after repeated
/// failures, never while a citizen's session runs, and a time bound on every visit.
///
/// No I/O and no clock of its own: kioskd's maintenance desk gives it the roster, the tickets,
/// whether a citizen is at the kiosk and the time, then persists ``lockout`` and audits the outcome.
public struct MaintenanceGate: Sendable {
    /// The limits, from kiosk.yaml's `maintenance:` section.
    public struct Rules: Sendable, Equatable {
        /// Failed attempts in a row that lock the gate.
        public var maximumFailures: Int
        /// How long the gate stays locked.
        public var lockout: TimeInterval
        /// How long a visit lasts at most.
        public var bound: TimeInterval

        public init(maximumFailures: Int = 5, lockout: TimeInterval = 15 * 60, bound: TimeInterval = 30 * 60) {
            self.maximumFailures = maximumFailures
            self.lockout = lockout
            self.bound = bound
        }
    }

    /// Failures in a row and the lockout they caused, kept across restarts (a restart must not
    /// give an attacker five more tries).
    public struct Lockout: Codable, Sendable, Equatable {
        public var failures: Int
        public var lockedUntil: Date?

        public init(failures: Int = 0, lockedUntil: Date? = nil) {
            self.failures = failures
            self.lockedUntil = lockedUntil
        }
    }

    /// A technician's time in maintenance.
    public struct Visit: Sendable, Equatable {
        public var technician: String
        /// The bearer token the maintenance screen sends back (`X-Maintenance-Token`).
        public var token: String
        public var since: Date
        public var until: Date
    }

    /// What the technician typed.
    public struct Attempt: Sendable {
        public var technician: String
        public var pin: String
        public var code: String

        public init(technician: String, pin: String, code: String) {
            self.technician = technician
            self.pin = pin
            self.code = code
        }
    }

    /// Why an attempt did not open maintenance.
    public enum Refusal: Sendable, Equatable {
        /// Too many failures: nothing is checked until `until`. `justNow`: this attempt locked it.
        case locked(until: Date, justNow: Bool)
        /// A citizen is using the kiosk.
        case citizenSession
        /// A technician is in maintenance already.
        case alreadyOn
        /// One factor or both were wrong (`pin`: the PIN was right; `ticket`: why the code was
        /// refused, nil when it was right); `remaining` tries before the lockout.
        case wrongFactors(pinRight: Bool, ticket: TicketRefusal?, remaining: Int)
    }

    public enum Outcome: Sendable, Equatable {
        case entered(Visit)
        case refused(Refusal)
    }

    /// The platform's id of this kiosk (what tickets name).
    public let kioskID: String
    public var rules: Rules
    public private(set) var lockout: Lockout
    public private(set) var visit: Visit?

    public init(kioskID: String, rules: Rules = Rules(), lockout: Lockout = Lockout()) {
        self.kioskID = kioskID
        self.rules = rules
        self.lockout = lockout
    }

    /// Checks `attempt` against the roster and the tickets; on success the visit begins with
    /// `token`. Every failure of a factor counts toward the lockout; a refusal for a citizen's
    /// session or a visit in progress does not (nothing was guessed).
    public mutating func enter(
        _ attempt: Attempt, roster: TechnicianRoster, tickets: [MaintenanceTicket], citizenSessionRuns: Bool, token: String, now: Date
    ) -> Outcome {
        if let until = lockout.lockedUntil {
            if until > now { return .refused(.locked(until: until, justNow: false)) }
            lockout = Lockout()
        }
        _ = expire(now: now)
        if visit != nil { return .refused(.alreadyOn) }
        if citizenSessionRuns { return .refused(.citizenSession) }
        // Both factors are checked every time, so a refusal does not tell which one was right
        // to whoever stands at the screen (the audit trail says it).
        let pinRight = roster.technicians[attempt.technician]?.matches(attempt.pin) ?? false
        let ticket = MaintenanceTicket.check(
            code: attempt.code, technician: attempt.technician, kiosk: kioskID, tickets: tickets, now: now)
        guard pinRight, ticket == nil else {
            lockout.failures += 1
            if lockout.failures >= rules.maximumFailures {
                let until = now.addingTimeInterval(rules.lockout)
                lockout.lockedUntil = until
                return .refused(.locked(until: until, justNow: true))
            }
            return .refused(.wrongFactors(pinRight: pinRight, ticket: ticket, remaining: rules.maximumFailures - lockout.failures))
        }
        lockout = Lockout()
        let visit = Visit(technician: attempt.technician, token: token, since: now, until: now.addingTimeInterval(rules.bound))
        self.visit = visit
        return .entered(visit)
    }

    /// The visit in progress at `now` (nil: none, or its time is over).
    public func current(now: Date) -> Visit? {
        guard let visit, visit.until > now else { return nil }
        return visit
    }

    /// The technician leaves (with the visit's token); returns the visit ended.
    public mutating func leave(token: String) -> Visit? {
        guard let visit, visit.token == token else { return nil }
        self.visit = nil
        return visit
    }

    /// Ends the visit whose time is over; returns it (nil: nothing ended).
    public mutating func expire(now: Date) -> Visit? {
        guard let visit, visit.until <= now else { return nil }
        self.visit = nil
        return visit
    }

    /// Drops a visit that could not begin after all (a citizen started meanwhile).
    public mutating func abandon() {
        visit = nil
    }
}
