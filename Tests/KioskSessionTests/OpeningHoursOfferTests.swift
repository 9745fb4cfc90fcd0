import Foundation
import KioskAPI
import KioskCore
import KioskSession
import Testing

@Suite("The hall's opening hours on the attract screen")
struct OpeningHoursOfferTests {
    @Test("The offer says the hall is open within its hours and closed after, with the hours to show")
    func offerFollowsTheHours() async throws {
        var settings = SessionSettings()
        let morning = try #require(OpeningHours.Period("08:30-12:00"))
        settings.openingHours = OpeningHours(days: [.monday: [morning]])
        // The rig's wall clock: Monday 2026-11-30, 08:53 in Shanghai.
        let rig = try SessionRig(settings: settings)
        let open = await rig.controller.offer()
        #expect(open.hallOpen)
        #expect(open.openingHours?.first == "monday: 08:30-12:00")
        #expect(open.openingHours?.last == "sunday: closed")

        rig.clock.advance(by: .seconds(4 * 3600))
        #expect(await rig.controller.offer().hallOpen == false)
    }

    @Test("Without stated hours the hall counts as open and no hours are shown")
    func noHoursStated() async throws {
        let rig = try SessionRig()
        let offer = await rig.controller.offer()
        #expect(offer.hallOpen)
        #expect(offer.openingHours == nil)
    }
}
