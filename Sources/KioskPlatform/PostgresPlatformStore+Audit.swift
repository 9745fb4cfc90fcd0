import Foundation
import KioskAudit
import PostgresNIO

extension PostgresPlatformStore {
    public func appendAudit(kiosk: String, entries: [AuditEntry]) async throws(PlatformError) -> Int64 {
        let outcome: Result<Int64, PlatformError>
        do {
            outcome = .success(
                try await transaction("storing audit entries") { connection, logger in
                    // One appender per kiosk at a time (two instances, one kiosk replaying).
                    try await connection.query("SELECT pg_advisory_xact_lock(hashtext(\(kiosk)))", logger: logger)
                    var last: (seq: Int64, hash: String)?
                    let rows = try await connection.query(
                        "SELECT seq, hash FROM audit_entry WHERE kiosk_id = \(kiosk) ORDER BY seq DESC LIMIT 1", logger: logger)
                    for try await (seq, hash) in rows.decode((Int64, String).self) { last = (seq, hash) }
                    var held: [Int64: String] = [:]
                    for entry in entries where entry.seq <= (last?.seq ?? 0) {
                        let found = try await connection.query(
                            "SELECT hash FROM audit_entry WHERE kiosk_id = \(kiosk) AND seq = \(entry.seq)", logger: logger)
                        for try await hash in found.decode(String.self) { held[entry.seq] = hash }
                    }
                    for entry in try AuditChain.check(entries, last: last, held: held) {
                        try await connection.query(
                            """
                            INSERT INTO audit_entry (kiosk_id, seq, at, kind, actor, detail, prev, hash)
                            VALUES (\(kiosk), \(entry.seq), \(entry.at), \(entry.kind), \(entry.actor), \(entry.detail), \(entry.prev), \(entry.hash))
                            """, logger: logger)
                    }
                    let top = try await connection.query("SELECT MAX(seq) FROM audit_entry WHERE kiosk_id = \(kiosk)", logger: logger)
                    for try await seq in top.decode(Int64?.self) { return seq ?? 0 }
                    return 0
                })
        } catch {
            outcome = .failure(error)
        }
        if case let .failure(refusal) = outcome, refusal.code == .conflict {
            let problem = refusal.message
            _ = try await transaction("flagging a kiosk's audit trail") { connection, logger in
                try await connection.query("UPDATE kiosk SET audit_problem = \(problem) WHERE id = \(kiosk)", logger: logger)
            }
        }
        return try outcome.get()
    }

    public func auditState(kiosk: String) async throws(PlatformError) -> (held: Int64, problem: String?) {
        try await transaction("reading a kiosk's audit state") { connection, logger in
            var held: Int64 = 0
            let top = try await connection.query("SELECT MAX(seq) FROM audit_entry WHERE kiosk_id = \(kiosk)", logger: logger)
            for try await seq in top.decode(Int64?.self) { held = seq ?? 0 }
            var problem: String?
            let flag = try await connection.query("SELECT audit_problem FROM kiosk WHERE id = \(kiosk)", logger: logger)
            for try await text in flag.decode(String?.self) { problem = text }
            return (held, problem)
        }
    }
}
