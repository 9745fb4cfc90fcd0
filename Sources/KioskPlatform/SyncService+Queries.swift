import Foundation
import KioskSyncAPI

extension SyncService {
    /// 查询打印: a certificate for the citizen whose card is on a kiosk's reader. (Being built.)
    public func queryCertificate(_ input: Operations.QueryCertificate.Input) async throws -> Operations.QueryCertificate.Output {
        _ = try kiosk
        return .serviceUnavailable(.init(body: .json(Self.problem("not-ready", "query services are not answered by this platform yet"))))
    }
}
