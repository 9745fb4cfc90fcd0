import Foundation
import KioskCatalog
import KioskCore
import KioskFiles
import KioskSession

/// `paths.shared_data`: the platform's demo records read by the kiosk itself, for a kiosk
/// with no platform (a lab, `kioskd demo` alone, the tests). A kiosk with a platform asks it
/// instead (`PlatformPrefill`).
struct SharedDataFile: PrefillSourceLookup {
    let records: SharedDataRecords

    static func load(path: String) throws(FileProblem) -> SharedDataFile {
        SharedDataFile(records: try SharedDataRecords.load(path: path))
    }

    func values(forIDNumber idNumber: String, fields: Set<FieldKey>) async -> [FieldKey: SessionFieldValue] {
        records.values(forIDNumber: idNumber, fields: fields)
    }
}
