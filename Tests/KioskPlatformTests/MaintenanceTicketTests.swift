import Foundation
import KioskPlatform
import KioskSync
import KioskTrust
import Testing

/// Maintenance tickets from `ticket create` to the kiosk's shelf: each `maintenance` bundle
/// carries every ticket still valid (a kiosk installs only the newest), digests only.
@Suite("Maintenance tickets reach the kiosk in signed bundles")
struct MaintenanceTicketTests {
    @Test(
        "A new ticket's bundle keeps the valid ones, drops the expired, holds no code; unknown kiosks are refused",
        arguments: StorageKind.available)
    func ticketsPublished(storage: StorageKind) async throws {
        let platform = try await PlatformRig.start(storage, tls: true)
        let authority = try #require(platform.enrolment).authority
        let (folder, identity) = try EnrolmentTests.identity()
        _ = try await EnrolmentClient(identity: identity).enrol(
            platform: try #require(URL(string: platform.address)), token: try await EnrolmentTests.token(platform))
        let kiosk = try await KioskRig.start(platform: platform.address, identity: identity, folder: folder)
        let kioskID = try #require(try identity.enrolled()?.answer.kioskID)

        let now = Date()
        let old = try await authority.issueMaintenanceTicket(
            kiosk: kioskID, technician: "li", minutes: 30, storage: platform.storage, now: now.addingTimeInterval(-3600))
        let kept = try await authority.issueMaintenanceTicket(
            kiosk: kioskID, technician: "wang", minutes: 120, storage: platform.storage, now: now.addingTimeInterval(-60))
        let issued = try await authority.issueMaintenanceTicket(
            kiosk: kioskID, technician: "zhang", minutes: 60, storage: platform.storage, now: now)
        #expect(issued.code.count == 8 && issued.code.allSatisfy(\.isNumber))
        #expect(issued.version == old.version + 2)

        let pass = await kiosk.relay.syncPass()
        #expect(pass.error == nil, "\(pass.error ?? "")")
        let shelf = try #require(BundleShelf(stateDirectory: folder).current(.maintenance))
        let tickets = try MaintenanceTicket.tickets(inBundle: shelf)
        #expect(Set(tickets.map(\.technician)) == ["wang", "zhang"], "the expired ticket is dropped, the valid one kept")
        #expect(MaintenanceTicket.check(code: issued.code, technician: "zhang", kiosk: kioskID, tickets: tickets, now: now) == nil)
        #expect(MaintenanceTicket.check(code: kept.code, technician: "wang", kiosk: kioskID, tickets: tickets, now: now) == nil)
        let raw = try String(contentsOf: shelf.appendingPathComponent(MaintenanceTicket.file), encoding: .utf8)
        #expect(!raw.contains(issued.code) && !raw.contains(kept.code))

        await #expect(throws: PlatformError.self) {
            _ = try await authority.issueMaintenanceTicket(kiosk: "NOPE-0001", technician: "zhang", minutes: 60, storage: platform.storage)
        }
    }
}
