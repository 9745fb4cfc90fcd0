import Foundation
import GRDB
import KioskAudit

extension SQLitePlatformStore {
    public func appendAudit(kiosk: String, entries: [AuditEntry]) async throws(PlatformError) -> Int64 {
        let outcome: Result<Int64, PlatformError>
        do {
            outcome = .success(
                try await write("storing audit entries") { db in
                    let last = try Row.fetchOne(
                        db, sql: "SELECT seq, hash FROM audit_entry WHERE kiosk_id = ? ORDER BY seq DESC LIMIT 1", arguments: [kiosk]
                    ).map { (seq: $0["seq"] as Int64, hash: $0["hash"] as String) }
                    var held: [Int64: String] = [:]
                    for entry in entries where entry.seq <= (last?.seq ?? 0) {
                        held[entry.seq] = try String.fetchOne(
                            db, sql: "SELECT hash FROM audit_entry WHERE kiosk_id = ? AND seq = ?", arguments: [kiosk, entry.seq])
                    }
                    for entry in try AuditChain.check(entries, last: last, held: held) {
                        try db.execute(
                            sql: """
                                INSERT INTO audit_entry (kiosk_id, seq, at, kind, actor, detail, prev, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                                """,
                            arguments: [kiosk, entry.seq, entry.at, entry.kind, entry.actor, entry.detail, entry.prev, entry.hash])
                    }
                    return try Int64.fetchOne(db, sql: "SELECT MAX(seq) FROM audit_entry WHERE kiosk_id = ?", arguments: [kiosk]) ?? 0
                })
        } catch {
            outcome = .failure(error)
        }
        if case let .failure(refusal) = outcome, refusal.code == .conflict {
            let problem = refusal.message
            try await write("flagging a kiosk's audit trail") { db in
                try db.execute(sql: "UPDATE kiosk SET audit_problem = ? WHERE id = ?", arguments: [problem, kiosk])
            }
        }
        return try outcome.get()
    }

    public func auditState(kiosk: String) async throws(PlatformError) -> (held: Int64, problem: String?) {
        try await read("reading a kiosk's audit state") { db in
            let held = try Int64.fetchOne(db, sql: "SELECT MAX(seq) FROM audit_entry WHERE kiosk_id = ?", arguments: [kiosk]) ?? 0
            let problem = try String.fetchOne(db, sql: "SELECT audit_problem FROM kiosk WHERE id = ?", arguments: [kiosk])
            return (held, problem)
        }
    }
}
