import Foundation
import KioskSyncAPI
import KioskTrust
import OpenAPIRuntime

extension SyncService {
    /// A published bundle, exactly as it was signed.
    public func getBundle(_ input: Operations.GetBundle.Input) async throws -> Operations.GetBundle.Output {
        _ = try kiosk
        guard let envelope = try await storage.bundle(kind: input.path.kind.rawValue, version: input.path.version),
            let bundle = try? EnrolmentJSON.decoder.decode(SignedBundle.self, from: envelope),
            let payload = Data(base64Encoded: bundle.payload)
        else {
            return .notFound(.init(body: .json(Self.problem("not-found", "no \(input.path.kind.rawValue) version \(input.path.version)"))))
        }
        return .ok(
            .init(
                body: .json(
                    .init(
                        payload: Base64EncodedData(payload),
                        signatures: bundle.signatures.map { .init(keyID: $0.keyID, signature: $0.signature) }))))
    }
}
