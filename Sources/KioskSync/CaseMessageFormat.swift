import Foundation
import KioskAPI
import KioskSession

/// Writes a submitted case into the outbox as a ``CaseMessage``.
public struct CaseMessageFormat: OutboxMessageFormat {
    public init() {}

    public func message(for application: SubmittedApplication) throws -> Data {
        try KioskJSON.encoder().encode(
            CaseMessage(
                caseID: application.caseID, receiptNumber: application.receiptNumber, bundle: application.bundle,
                bundleVersion: application.bundleVersion, kioskID: application.kioskID, receivedAt: application.receivedAt,
                materials: application.materials, sealedApplication: application.sealedApplication))
    }
}
