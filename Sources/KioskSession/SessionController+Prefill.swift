import Foundation
import KioskAPI
import KioskCore
import KioskStore

/// Where prefill values come from besides the card: shared government data. Looked up by ID
/// number, only while a session runs. (What a citizen gave in earlier applications is sealed
/// to the platform: this kiosk cannot read it back, so that prefill belongs to the platform.)
public protocol PrefillSourceLookup: Sendable {
    func values(forIDNumber idNumber: String) async -> [FieldKey: SessionFieldValue]
}

/// 一次申报、多次复用: the form starts from what is known of the person on the card, so the
/// citizen only answers what is left.
extension SessionController {
    func prefillValues(idNumber: String) async -> [FieldKey: SessionFieldValue] {
        var values: [FieldKey: SessionFieldValue] = [:]
        if let prefill { values.merge(await prefill.values(forIDNumber: idNumber)) { _, shared in shared } }
        remember(values.values.map(\.value))
        return values
    }
}
