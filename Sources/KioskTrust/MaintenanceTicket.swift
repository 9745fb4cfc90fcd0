import Crypto
import Foundation

/// The platform's half of a technician's way into maintenance: a short-lived ticket for one
/// kiosk and one technician, travelling in a signed `maintenance` bundle.
///
/// The bundle holds only the SHA-256 of `kiosk|technician|code`: the eight-digit code is
/// printed once by the platform and handed to the technician, so a copy of the bundle (every
/// kiosk receives all of them) opens no kiosk.
public struct MaintenanceTicket: Codable, Sendable, Hashable {
    /// The platform's kiosk id (the enrolled identity, not kiosk.yaml's name).
    public var kiosk: String
    public var technician: String
    /// Hex SHA-256 of `kiosk + "|" + technician + "|" + code`.
    public var codeSHA256: String
    public var notAfter: Date

    public init(kiosk: String, technician: String, codeSHA256: String, notAfter: Date) {
        self.kiosk = kiosk
        self.technician = technician
        self.codeSHA256 = codeSHA256
        self.notAfter = notAfter
    }

    /// The bundle's file name.
    public static let file = "tickets.json"

    /// The digest a ticket keeps of its code.
    public static func digest(kiosk: String, technician: String, code: String) -> String {
        SHA256.hash(data: Data("\(kiosk)|\(technician)|\(code)".utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// Eight random digits (from the system's CSPRNG).
    public static func newCode() -> String {
        var generator = SystemRandomNumberGenerator()
        return String(format: "%08d", Int.random(in: 0..<100_000_000, using: &generator))
    }

    /// The tickets of a bundle's `tickets.json`.
    public static func decode(_ data: Data) throws(TrustError) -> [MaintenanceTicket] {
        do { return try EnrolmentJSON.decoder.decode([MaintenanceTicket].self, from: data) } catch {
            throw TrustError(.files, "\(file) is not a list of maintenance tickets: \(error)")
        }
    }

    /// The tickets of the `maintenance` bundle installed in `folder`.
    public static func tickets(inBundle folder: URL) throws(TrustError) -> [MaintenanceTicket] {
        guard let data = FileManager.default.contents(atPath: folder.appendingPathComponent(file).path) else {
            throw TrustError(.files, "the maintenance bundle in \(folder.path) has no \(file)")
        }
        return try decode(data)
    }

    /// Why a code does not open this kiosk for this technician now (nil: it does).
    ///
    /// Each ticket is tried with its own kiosk and technician so that the refusal can say
    /// which part was wrong (for the audit trail, never for the screen).
    public static func check(
        code: String, technician: String, kiosk: String, tickets: [MaintenanceTicket], now: Date
    ) -> TicketRefusal? {
        let presented = digest(kiosk: kiosk, technician: technician, code: code)
        if let ticket = tickets.first(where: { $0.kiosk == kiosk && $0.technician == technician && $0.codeSHA256 == presented }) {
            return ticket.notAfter > now ? nil : .expired
        }
        for ticket in tickets where digest(kiosk: ticket.kiosk, technician: ticket.technician, code: code) == ticket.codeSHA256 {
            return ticket.kiosk != kiosk ? .otherKiosk : .otherTechnician
        }
        return .unknown
    }
}

/// Why a maintenance code was refused.
public enum TicketRefusal: String, Sendable, Hashable {
    /// No ticket has this code.
    case unknown = "no such ticket"
    /// The ticket's time is over.
    case expired = "ticket expired"
    /// The code belongs to a ticket for another kiosk.
    case otherKiosk = "ticket for another kiosk"
    /// The code belongs to a ticket for another technician.
    case otherTechnician = "ticket for another technician"
}
