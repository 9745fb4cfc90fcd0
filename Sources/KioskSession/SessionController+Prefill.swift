import Foundation
import KioskAPI
import KioskCore
import KioskStore

/// Where prefill values come from besides the card: shared government data. Looked up by ID
/// number, only while a session runs. (What a citizen gave in earlier applications is sealed
/// to the platform: this kiosk cannot read it back, so that prefill belongs to the platform.)
public protocol PrefillSourceLookup: Sendable {
    /// What is known for `fields` only (data minimisation); empty when nothing is, or the
    /// source cannot be reached in time (the form then asks more; it never waits long).
    func values(forIDNumber idNumber: String, fields: Set<FieldKey>) async -> [FieldKey: SessionFieldValue]
}

/// 一次申报、多次复用: the form starts from what is known of the person on the card, so the
/// citizen only answers what is left.
extension SessionController {
    func prefillValues(idNumber: String) async -> [FieldKey: SessionFieldValue] {
        var values: [FieldKey: SessionFieldValue] = [:]
        // Only with the citizen's consent (the notice's 同意), and only the fields this bundle
        // may fill from shared data or earlier applications about the card holder: what is
        // about the person a guardian applies for is never asked of the guardian's records.
        let aboutOthers = session.blueprint?.notCardHolder ?? []
        let wanted = Set(
            (session.blueprint?.form ?? []).filter { !Set($0.definition.sources).isDisjoint(with: [.sharedData, .earlierApplication]) }
                .map(\.definition.key)
        ).subtracting(aboutOthers)
        if let prefill, sharedDataConsent, !wanted.isEmpty {
            values.merge(await prefill.values(forIDNumber: idNumber, fields: wanted)) { _, shared in shared }
        }
        remember(values.values.map(\.value))
        return values
    }
}
