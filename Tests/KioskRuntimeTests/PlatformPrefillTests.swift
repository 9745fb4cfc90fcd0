import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// 一人一档 from the platform: with the citizen's consent the kiosk asks the platform for the
/// shared data its form may use; declined, or with the platform down, the form asks instead,
/// without a long wait (real kioskd and kiosk-platform).
@Suite("Prefill from the platform (real kioskd and kiosk-platform)", .serialized)
struct PlatformPrefillTests {
    @Test("Consent: the platform's shared data fills the form; declined: nothing is asked of it; platform down: the form asks, at once")
    func prefillFromPlatform() async throws {
        let scratch = try Scratch()
        let local = try await LocalPlatform(kiosk: "PREFILL-0001", enrolling: scratch)
        let platform = try await local.start()
        defer { platform.signal(SIGKILL) }
        let kiosk = try await SessionDaemon.start(scratch: scratch, extra: local.syncSection())
        defer { kiosk.daemon.signal(SIGKILL) }

        // Consent (the notice's 同意): the birth date comes from the platform's shared data.
        var form = try await Self.form(kiosk, consent: true)
        #expect(form["newborn.birth_date"]?["source"] as? String == "shared_data", "\(form["newborn.birth_date"] ?? [:])")
        #expect(form["newborn.birth_date"]?["value"] as? String == "2026-11-18")
        #expect(form["mother.name"]?["source"] as? String == "shared_data")

        // Declined: the same fields are the citizen's to give.
        form = try await Self.form(kiosk, consent: false)
        #expect(form["newborn.birth_date"]?["value"] as? String ?? "" == "", "nothing looked up without consent")
        #expect(form["newborn.birth_date"]?["source"] as? String != "shared_data")

        // The platform down: the form comes at once and asks.
        platform.signal(SIGKILL)
        _ = await platform.finish()
        let started = ContinuousClock.now
        form = try await Self.form(kiosk, consent: true)
        // The kiosk's own bound is 3 s; the margin is this test process's, which a loaded CI
        // machine has stalled for over 10 s. A kiosk that retried or waited out its sync
        // timeout (30 s) would still fail.
        #expect(ContinuousClock.now - started < .seconds(25), "the card to the form took \(ContinuousClock.now - started)")
        #expect(form["newborn.birth_date"]?["source"] as? String != "shared_data")
        // From the card, as ever.
        #expect(form["applicant.name"]?["source"] as? String == "id_card")
        _ = await kiosk.stop()
    }

    /// A newborn visit to the form, with or without consent; the form's fields by key.
    static func form(_ kiosk: SessionDaemon, consent: Bool) async throws -> [String: [String: Any]] {
        _ = try await kiosk.post("/api/v1/demo/card/lift")
        let started = try await kiosk.post("/api/v1/session", json: #"{"bundle":"newborn"}"#)
        let token = try #require(started.json["token"] as? String, "\(started.text)")
        _ = try await kiosk.post("/api/v1/session/answer", token: token, json: #"{"question":"parent","answer":"father"}"#)
        let notice = try await kiosk.post("/api/v1/session/notice", token: token, json: consent ? "{}" : #"{"consent":false}"#)
        #expect(notice.json["step"] as? String == "card", "\(notice.text)")
        #expect(try await kiosk.post("/api/v1/demo/card/place/resident-id").status == 200)
        var fields: [[String: Any]] = []
        try await kiosk.until("the form") {
            let view = (try? await kiosk.get("/api/v1/session", token: token))?.json
            fields = view?["form"] as? [[String: Any]] ?? []
            return view?["step"] as? String == "form"
        }
        _ = try await kiosk.post("/api/v1/session/end", token: token)
        return Dictionary(fields.compactMap { field in (field["key"] as? String).map { ($0, field) } }) { first, _ in first }
    }
}
