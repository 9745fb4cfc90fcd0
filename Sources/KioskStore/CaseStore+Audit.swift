import Foundation
import GRDB

/// How far the platform holds the kiosk's audit trail (the trail itself is a file of its own,
/// kept through a factory reset; after one this starts again at 0 and the platform answers
/// the entries it holds as replays).
extension CaseStore {
    public func auditHeld() throws(StoreError) -> Int64 {
        try readSync("reading the audit cursor") { db in try Self.meta(db, "audit_held").flatMap { Int64($0) } ?? 0 }
    }

    public func recordAuditHeld(_ seq: Int64) throws(StoreError) {
        try writeSync("storing the audit cursor") { db in try Self.setMeta(db, "audit_held", String(seq)) }
    }
}
