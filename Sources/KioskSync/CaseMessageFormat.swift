import Foundation
import KioskAPI
import KioskCore
import KioskSession
import KioskStore
import KioskSyncAPI
import OpenAPIRuntime

/// Writes a submitted case into the outbox in the contract's own form (`CaseUpload`), inside the
/// transaction that commits the case: the relay later sends these bytes unchanged, so a replay
/// after any failure carries identical content and the platform answers it as the first time.
public struct CaseMessageFormat: OutboxMessageFormat {
    public init() {}

    public func message(for application: SubmittedApplication) throws -> Data {
        var upload = Components.Schemas.CaseUpload(
            caseID: application.caseID, contentSHA256: String(repeating: "0", count: 64), receiptNumber: application.receiptNumber,
            bundle: application.bundle, bundleVersion: application.bundleVersion, receivedAt: application.receivedAt,
            materials: .init(
                additionalProperties: application.materials.reduce(into: [:]) { result, entry in
                    result[entry.key] = Components.Schemas.MaterialChoice(rawValue: entry.value.contractName)
                }),
            items: application.items,
            prefill: .init(
                idCard: application.prefill[.idCard] ?? 0, sharedData: application.prefill[.sharedData] ?? 0,
                earlierApplication: application.prefill[.earlierApplication] ?? 0, citizen: application.prefill[.citizen] ?? 0),
            simulatedIdentity: application.simulatedIdentity ? true : nil,
            resultCollection: application.resultCollection.flatMap { .init(rawValue: $0.rawValue) },
            attachments: application.attachments.isEmpty
                ? nil
                : application.attachments.map {
                    .init(
                        attachmentID: $0.id, kind: .init(rawValue: $0.kind) ?? .material, length: Int64($0.length), sha256: $0.sha256)
                },
            sealedApplication: .init(application.sealedApplication))
        // The content's SHA-256 (with this field zeroed) is half of the idempotency key.
        upload.contentSHA256 = ContentHash.sha256Hex(try Self.encode(upload))
        return try Self.encode(upload)
    }

    /// Sorted keys and whole-second ISO 8601 times: the same case always gives the same bytes.
    static func encode(_ upload: Components.Schemas.CaseUpload) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        encoder.dateEncodingStrategy = .iso8601
        return try encoder.encode(upload)
    }

    /// Reads an outbox payload back.
    static func decode(_ payload: Data) throws -> Components.Schemas.CaseUpload {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return try decoder.decode(Components.Schemas.CaseUpload.self, from: payload)
    }
}
