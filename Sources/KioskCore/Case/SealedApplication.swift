import Foundation

/// The personal part of an application, as the kiosk seals it to the platform's key: the form's
/// values and the materials chosen. The pledge's signature travels as an attachment of its own.
/// Only the platform opens it (the kiosk cannot); the workbench shows it to the department.
public struct SealedApplication: Codable, Sendable, Hashable {
    public var values: [FieldKey: SessionFieldValue]
    public var materials: [MaterialID: MaterialChoice]
    public var signaturePNG: Data?
    /// Items that wait for shared data the kiosk could not have (offline): the department
    /// proceeds with each once it has the fields named.
    public var sharedDataWaits: [SharedDataWait]
    /// Fields lacking shared data that the department completes from its own records.
    public var leftToDepartment: [FieldKey]

    public init(
        values: [FieldKey: SessionFieldValue], materials: [MaterialID: MaterialChoice], signaturePNG: Data? = nil,
        sharedDataWaits: [SharedDataWait] = [], leftToDepartment: [FieldKey] = []
    ) {
        self.values = values
        self.materials = materials
        self.signaturePNG = signaturePNG
        self.sharedDataWaits = sharedDataWaits
        self.leftToDepartment = leftToDepartment
    }

    /// Applications sealed before waits were recorded open with none.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        values = try container.decode([FieldKey: SessionFieldValue].self, forKey: .values)
        materials = try container.decode([MaterialID: MaterialChoice].self, forKey: .materials)
        signaturePNG = try container.decodeIfPresent(Data.self, forKey: .signaturePNG)
        sharedDataWaits = try container.decodeIfPresent([SharedDataWait].self, forKey: .sharedDataWaits) ?? []
        leftToDepartment = try container.decodeIfPresent([FieldKey].self, forKey: .leftToDepartment) ?? []
    }
}
