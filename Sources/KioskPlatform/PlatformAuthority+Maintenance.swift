import Foundation
import KioskTrust

#if canImport(Glibc)
    import Glibc
#endif

extension PlatformAuthority {
    /// A maintenance ticket just issued: the code (shown once, kept nowhere), and the bundle
    /// version that carries its digest to the kiosk.
    public struct IssuedTicket: Sendable {
        public var code: String
        public var ticket: MaintenanceTicket
        public var kioskName: String
        public var version: Int
    }

    /// The tickets still valid, kept beside the keys (digests only) so that each `maintenance`
    /// bundle carries all of them: a kiosk installs only the newest bundle.
    var ticketsFile: URL { folder.appendingPathComponent("maintenance-tickets.json") }

    /// Issues a maintenance ticket for `technician` at the kiosk `nameOrID` (known, not revoked),
    /// valid `minutes`, and publishes the next `maintenance` bundle with every ticket still valid.
    public func issueMaintenanceTicket(
        kiosk nameOrID: String, technician: String, minutes: Int, storage: any PlatformStorage, now: Date = Date()
    ) async throws(PlatformError) -> IssuedTicket {
        if let problem = TechnicianRoster.problem(withName: technician) { throw PlatformError(.badRequest, problem) }
        guard (1...24 * 60).contains(minutes) else { throw PlatformError(.badRequest, "a ticket lasts 1 to 1440 minutes") }
        let kiosks = try await storage.kiosks()
        guard let kiosk = kiosks.first(where: { $0.id == nameOrID }) ?? kiosks.first(where: { $0.name == nameOrID }) else {
            throw PlatformError(.unknownKiosk, "no kiosk \(nameOrID) (kiosk-platform kiosks lists them)")
        }
        guard kiosk.revokedAt == nil else { throw PlatformError(.unknownKiosk, "kiosk \(nameOrID) is revoked") }

        // One issuer at a time: the file is read, grown and published as one step.
        let lock = open(folder.appendingPathComponent(".maintenance-tickets.lock").path, O_CREAT | O_RDWR, 0o600)
        guard lock >= 0 else { throw PlatformError(.keys, "cannot lock the tickets in \(folder.path)") }
        defer { close(lock) }
        guard flock(lock, LOCK_EX) == 0 else { throw PlatformError(.keys, "cannot lock the tickets in \(folder.path)") }

        var tickets: [MaintenanceTicket] = []
        if let data = FileManager.default.contents(atPath: ticketsFile.path) {
            do { tickets = try MaintenanceTicket.decode(data) } catch {
                throw PlatformError(.keys, "\(ticketsFile.path): \(error.message)")
            }
        }
        let code = MaintenanceTicket.newCode()
        let ticket = MaintenanceTicket(
            kiosk: kiosk.id, technician: technician,
            codeSHA256: MaintenanceTicket.digest(kiosk: kiosk.id, technician: technician, code: code),
            notAfter: now.addingTimeInterval(TimeInterval(minutes * 60)))
        tickets = tickets.filter { $0.notAfter > now } + [ticket]
        let data: Data
        do { data = try EnrolmentJSON.encoder.encode(tickets) } catch { throw PlatformError(.keys, "cannot encode the tickets: \(error)") }
        // The bundle lives as long as its longest ticket.
        let lasts = tickets.map { $0.notAfter.timeIntervalSince(now) }.max() ?? 60
        let version = try await publish(
            files: [MaintenanceTicket.file: data.base64EncodedString()], kind: .maintenance, expiresIn: lasts, storage: storage, now: now)
        do { try Self.write(data, to: ticketsFile) } catch {
            throw PlatformError(.keys, "ticket published in version \(version), but \(ticketsFile.path) could not be written: \(error)")
        }
        return IssuedTicket(code: code, ticket: ticket, kioskName: kiosk.name, version: version)
    }
}
