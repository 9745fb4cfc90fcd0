import Foundation
import KioskCatalog
import KioskCore
import KioskSyncAPI

extension SyncService {
    /// 一人一档: what shared data and the person's earlier applications give for the fields a
    /// kiosk names. Only those fields are answered; nothing of the request is kept or logged.
    public func lookupPrefill(_ input: Operations.LookupPrefill.Input) async throws -> Operations.LookupPrefill.Output {
        _ = try kiosk
        guard case let .json(request) = input.body else {
            return .badRequest(.init(body: .json(Self.problem("bad-request", "JSON only"))))
        }
        guard (6...32).contains(request.idNumber.count), request.idNumber.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }),
            request.fields.count <= 200, request.fields.allSatisfy({ (1...64).contains($0.count) })
        else {
            return .badRequest(
                .init(body: .json(Self.problem("bad-request", "an ID number (6–32 letters and digits) and up to 200 field keys"))))
        }
        let known = sharedData?.values(forIDNumber: request.idNumber, fields: Set(request.fields)) ?? [:]
        let values = known.sorted { $0.key < $1.key }.map { key, value in
            Components.Schemas.PrefillAnswer.ValuesPayloadPayload(
                field: key, value: String(value.value.prefix(400)), source: value.source == .sharedData ? .sharedData : .earlierApplication)
        }
        return .ok(.init(body: .json(.init(values: values))))
    }
}
