import Foundation
import KioskAPI
import KioskCore
import KioskStore

/// Where prefill values come from besides the card: shared government data and what the
/// citizen gave in earlier applications. Looked up by ID number, only while a session runs.
public protocol PrefillSourceLookup: Sendable {
    func values(forIDNumber idNumber: String) async -> [FieldKey: SessionFieldValue]
}

/// 一次申报、多次复用: the form starts from what the kiosk already knows of the person on the
/// card, so the citizen only answers what is left.
extension SessionController {
    func prefillValues(idNumber: String) async -> [FieldKey: SessionFieldValue] {
        var values: [FieldKey: SessionFieldValue] = [:]
        // What this citizen gave in earlier applications at this kiosk.
        if let earlier = try? await store.cases(citizenKey: seal.citizenKey(idNumber: idNumber), limit: 5) {
            for stored in earlier.reversed() {
                guard let plain = try? seal.unseal(stored.sealed),
                    let application = try? KioskJSON.decoder().decode(SealedApplication.self, from: plain)
                else { continue }
                for (key, value) in application.values where value.source != .idCard {
                    values[key] = SessionFieldValue(value: value.value, source: .earlierApplication)
                }
            }
        }
        if let prefill { values.merge(await prefill.values(forIDNumber: idNumber)) { _, shared in shared } }
        remember(values.values.map(\.value))
        return values
    }
}
