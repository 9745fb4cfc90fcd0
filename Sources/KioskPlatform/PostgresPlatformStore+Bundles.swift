import Foundation
import PostgresNIO

extension PostgresPlatformStore {
    public func publishBundle(kind: String, at: Date, sign: @escaping @Sendable (Int) throws -> Data) async throws(PlatformError) -> Int {
        try await transaction("publishing a bundle") { connection, logger in
            // One publisher at a time per kind: the next version is decided under this lock.
            try await connection.query("SELECT pg_advisory_xact_lock(7240012)", logger: logger)
            let rows = try await connection.query(
                "SELECT COALESCE(MAX(version), 0) FROM published_bundle WHERE kind = \(kind)", logger: logger)
            var latest = 0
            for try await value in rows.decode(Int.self) { latest = value }
            let version = latest + 1
            let envelope = try sign(version)
            try await connection.query(
                """
                INSERT INTO published_bundle (kind, version, envelope, published_at)
                VALUES (\(kind), \(version), \(ByteBuffer(bytes: envelope)), \(at))
                """, logger: logger)
            let kiosks = try await connection.query("SELECT id FROM kiosk WHERE revoked_at IS NULL ORDER BY id", logger: logger)
            var ids: [String] = []
            for try await id in kiosks.decode(String.self) { ids.append(id) }
            for id in ids {
                try await Self.announce(kind: kind, version: version, kiosk: id, at: at, connection: connection, logger: logger)
            }
            return version
        }
    }

    public func bundle(kind: String, version: Int) async throws(PlatformError) -> Data? {
        try await transaction("reading a bundle") { connection, logger in
            let rows = try await connection.query(
                "SELECT envelope FROM published_bundle WHERE kind = \(kind) AND version = \(version)", logger: logger)
            for try await envelope in rows.decode(ByteBuffer.self) { return Data(envelope.readableBytesView) }
            return nil
        }
    }

    public func announceLatestBundles(kioskID: String, at: Date) async throws(PlatformError) {
        _ = try await transaction("announcing bundles") { connection, logger in
            let rows = try await connection.query(
                "SELECT kind, MAX(version) FROM published_bundle GROUP BY kind ORDER BY kind", logger: logger)
            var latest: [(String, Int)] = []
            for try await row in rows.decode((String, Int).self) { latest.append(row) }
            for (kind, version) in latest {
                try await Self.announce(kind: kind, version: version, kiosk: kioskID, at: at, connection: connection, logger: logger)
            }
        }
    }

    /// A version change in one kiosk's feed, its cursor taken under the kiosk's row lock.
    private static func announce(
        kind: String, version: Int, kiosk: String, at: Date, connection: PostgresConnection, logger: Logger
    ) async throws {
        let cursor = try await nextCursor(kiosk: kiosk, connection: connection, logger: logger)
        try await connection.query(
            """
            INSERT INTO change (kiosk_id, cursor, kind, case_id, item, stage, at, version)
            VALUES (\(kiosk), \(cursor), \("\(kind)-version"), '', '', '', \(at), \(String(version)))
            """, logger: logger)
    }
}
