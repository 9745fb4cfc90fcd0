import Foundation

/// The personal part of an application, as the kiosk seals it to the platform's key: the form's
/// values and the materials chosen. The pledge's signature travels as an attachment of its own.
/// Only the platform opens it (the kiosk cannot); the workbench shows it to the department.
public struct SealedApplication: Codable, Sendable, Hashable {
    public var values: [FieldKey: SessionFieldValue]
    public var materials: [MaterialID: MaterialChoice]
    public var signaturePNG: Data?

    public init(values: [FieldKey: SessionFieldValue], materials: [MaterialID: MaterialChoice], signaturePNG: Data? = nil) {
        self.values = values
        self.materials = materials
        self.signaturePNG = signaturePNG
    }
}
