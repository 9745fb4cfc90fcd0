import Foundation
import KioskAPI
import KioskAudit
import KioskServer
import KioskSession
import KioskTrust
import Logging

/// kioskd's way into maintenance mode: the I/O around the pure ``MaintenanceGate``. It reads
/// the technicians' roster at each attempt, keeps the platform's tickets from the newest
/// `maintenance` bundle, persists the lockout (`state_dir/maintenance-lockout.json`, so a
/// restart gives no more tries), audits every attempt, and ends each visit at its bound.
///
/// Attempts are checked one at a time (the PIN's scrypt runs inside the actor): with the
/// lockout, that is the rate limit.
actor MaintenanceDesk: MaintenanceControls {
    private var gate: MaintenanceGate
    private var tickets: [MaintenanceTicket]
    private let stateDirectory: String
    private let session: SessionController
    private let audit: AuditTrail
    private let logger: Logger
    private let now: @Sendable () -> Date
    /// Wakes `run()` when a visit begins.
    private let (entries, entered) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))

    init(
        kioskID: String, rules: MaintenanceGate.Rules, stateDirectory: String, session: SessionController, audit: AuditTrail,
        logger: Logger, now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.stateDirectory = stateDirectory
        self.session = session
        self.audit = audit
        self.logger = logger
        self.now = now
        let lockout = (try? Data(contentsOf: Self.lockoutFile(stateDirectory))).flatMap {
            try? EnrolmentJSON.decoder.decode(MaintenanceGate.Lockout.self, from: $0)
        }
        gate = MaintenanceGate(kioskID: kioskID, rules: rules, lockout: lockout ?? .init())
        let folder = BundleShelf(stateDirectory: stateDirectory).current(.maintenance)
        tickets = folder.flatMap { try? MaintenanceTicket.tickets(inBundle: $0) } ?? []
    }

    static func lockoutFile(_ stateDirectory: String) -> URL {
        URL(fileURLWithPath: stateDirectory).appendingPathComponent("maintenance-lockout.json")
    }

    /// The tickets of a newly installed `maintenance` bundle.
    func install(tickets: [MaintenanceTicket]) {
        self.tickets = tickets
        logger.notice("Maintenance tickets installed", metadata: ["tickets": "\(tickets.count { $0.kiosk == gate.kioskID })"])
    }

    func enter(technician: String, pin: String, code: String) async -> Result<MaintenanceStatus, MaintenanceRefusal> {
        await endIfDue()
        let citizen = await !session.isIdle
        let roster: TechnicianRoster
        do { roster = try TechnicianRoster.load(stateDirectory: stateDirectory) } catch {
            logger.error("Technicians' roster unreadable: nobody can enter maintenance", metadata: ["error": "\(error.message)"])
            roster = TechnicianRoster()
        }
        let before = gate.lockout
        let token = Self.newToken()
        let at = now()
        let outcome = gate.enter(
            .init(technician: technician, pin: pin, code: code), roster: roster, tickets: tickets, citizenSessionRuns: citizen,
            token: token, now: at)
        if gate.lockout != before { persistLockout() }
        switch outcome {
        case .entered(let visit):
            guard await session.beginMaintenance(technician: technician) else {
                gate.abandon()
                record(.technicianLogin, technician, "maintenance login refused: a citizen's session started meanwhile")
                return .failure(Self.citizenRefusal)
            }
            record(.technicianLogin, technician, "maintenance login accepted: PIN and ticket")
            record(.maintenance, technician, "maintenance entered by \(technician) until \(Self.time(visit.until))")
            entered.yield()
            var status = status(at: at)
            status.token = visit.token
            return .success(status)
        case .refused(.locked(let until, let justNow)):
            let seconds = max(1, Int(until.timeIntervalSince(at).rounded(.up)))
            if justNow {
                record(
                    .technicianLogin, technician,
                    "maintenance login failed; lockout after \(gate.rules.maximumFailures) failures in a row, until \(Self.time(until))")
            } else {
                record(.technicianLogin, technician, "maintenance login refused: locked until \(Self.time(until))")
            }
            let minutes = (seconds + 59) / 60
            return .failure(
                MaintenanceRefusal(
                    .locked(secondsLeft: seconds), code: "locked",
                    message: "尝试失败次数过多，维护入口已锁定，请 \(minutes) 分钟后再试 (too many failed attempts: locked for \(minutes) more min)"))
        case .refused(.citizenSession):
            record(.technicianLogin, technician, "maintenance login refused: a citizen's session runs")
            return .failure(Self.citizenRefusal)
        case .refused(.alreadyOn):
            record(.technicianLogin, technician, "maintenance login refused: maintenance is on already")
            return .failure(
                MaintenanceRefusal(.busy, code: "maintenance-on", message: "已有技术人员处于维护状态 (a technician is in maintenance already)"))
        case .refused(.wrongFactors(_, _, let remaining)):
            record(.technicianLogin, technician, "maintenance login failed (\(Self.factors(of: outcome) ?? "")); \(remaining) tries left")
            return .failure(
                MaintenanceRefusal(
                    .wrongFactors, code: "wrong-credentials",
                    message: "工号、密码或维护码不正确，还可尝试 \(remaining) 次 (name, PIN or maintenance code wrong; \(remaining) tries left)"))
        }
    }

    func leave(token: String) async -> Bool {
        await endIfDue()
        guard let visit = gate.leave(token: token) else { return false }
        await session.endMaintenance()
        record(.maintenance, visit.technician, "maintenance left by \(visit.technician) (by the technician)")
        return true
    }

    func status() async -> MaintenanceStatus {
        await endIfDue()
        return status(at: now())
    }

    /// Ends each visit at its bound, for as long as kioskd runs.
    func run() async {
        while !Task.isCancelled {
            if let visit = gate.visit {
                let left = visit.until.timeIntervalSince(now())
                // Checked at least every 5 s: the technician may leave, or the clock jump.
                if left > 0 { try? await Task.sleep(for: .seconds(min(left, 5))) }
                await endIfDue()
            } else {
                for await _ in entries { break }
            }
        }
    }

    // MARK: Parts

    private func status(at: Date) -> MaintenanceStatus {
        let locked = gate.lockout.lockedUntil.flatMap { $0 > at ? $0 : nil }
        guard let visit = gate.current(now: at) else { return MaintenanceStatus(on: false, lockedUntil: locked) }
        return MaintenanceStatus(
            on: true, technician: visit.technician, since: visit.since, until: visit.until,
            secondsLeft: max(0, Int(visit.until.timeIntervalSince(at).rounded(.up))), lockedUntil: locked)
    }

    private func endIfDue() async {
        guard let visit = gate.expire(now: now()) else { return }
        await session.endMaintenance()
        record(
            .maintenance, visit.technician,
            "maintenance ended for \(visit.technician): the \(Int(gate.rules.bound / 60))-minute bound")
    }

    private func persistLockout() {
        do {
            try EnrolmentJSON.encoder.encode(gate.lockout).write(to: Self.lockoutFile(stateDirectory), options: .atomic)
        } catch {
            logger.error("Maintenance lockout not persisted", metadata: ["error": "\(error)"])
        }
    }

    private func record(_ kind: AuditEntry.Kind, _ actor: String, _ detail: String) {
        do { try audit.record(kind, actor: actor, detail: detail) } catch {
            logger.error("Audit trail not written", metadata: ["error": "\(error.message)"])
        }
    }

    /// Which factor failed, for the audit trail (never the PIN or the code).
    private static func factors(of outcome: MaintenanceGate.Outcome) -> String? {
        guard case .refused(.wrongFactors(let pinRight, let ticket, _)) = outcome else { return nil }
        return [pinRight ? nil : "PIN wrong", ticket.map(\.rawValue)].compactMap { $0 }.joined(separator: "; ")
    }

    private static let citizenRefusal = MaintenanceRefusal(
        .busy, code: "citizen-session",
        message: "有群众正在使用本终端，请待其办理结束后再进入维护 (a citizen is using the kiosk: enter maintenance after they finish)")

    private static func newToken() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<32).map { _ in String(format: "%02x", UInt8.random(in: .min ... .max, using: &generator)) }.joined()
    }

    private static func time(_ date: Date) -> String { ISO8601DateFormatter().string(from: date) }
}
