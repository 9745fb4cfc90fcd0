import Foundation
import GRDB

extension SQLitePlatformStore {
    public func publishBundle(kind: String, at: Date, sign: @escaping @Sendable (Int) throws -> Data) async throws(PlatformError) -> Int {
        try await write("publishing a bundle") { db in
            let version =
                (try Int.fetchOne(db, sql: "SELECT MAX(version) FROM published_bundle WHERE kind = ?", arguments: [kind]) ?? 0) + 1
            try db.execute(
                sql: "INSERT INTO published_bundle (kind, version, envelope, published_at) VALUES (?, ?, ?, ?)",
                arguments: [kind, version, try sign(version), at])
            try db.execute(
                sql: """
                    INSERT INTO change (kiosk_id, kind, case_id, item, stage, at, version)
                    SELECT id, ?, '', '', '', ?, ? FROM kiosk WHERE revoked_at IS NULL
                    """,
                arguments: ["\(kind)-version", at, String(version)])
            return version
        }
    }

    public func bundle(kind: String, version: Int) async throws(PlatformError) -> Data? {
        try await read("reading a bundle") { db in
            try Data.fetchOne(db, sql: "SELECT envelope FROM published_bundle WHERE kind = ? AND version = ?", arguments: [kind, version])
        }
    }

    public func announceLatestBundles(kioskID: String, at: Date) async throws(PlatformError) {
        try await write("announcing bundles") { db in
            try db.execute(
                sql: """
                    INSERT INTO change (kiosk_id, kind, case_id, item, stage, at, version)
                    SELECT ?, kind || '-version', '', '', '', ?, CAST(MAX(version) AS TEXT) FROM published_bundle GROUP BY kind ORDER BY kind
                    """,
                arguments: [kioskID, at])
        }
    }
}
