import Foundation
import KioskCore

/// What a sealed case holds: the personal part of the application.
struct SealedApplication: Codable {
    var values: [FieldKey: SessionFieldValue]
    var materials: [MaterialID: MaterialChoice]
    var signaturePNG: Data?
}
