import Foundation
import PostgresNIO

extension PostgresPlatformStore {
    public func createToken(_ token: EnrolmentTokenRecord) async throws(PlatformError) {
        _ = try await transaction("storing an enrolment token") { connection, logger in
            try await connection.query(
                """
                INSERT INTO enrolment_token (secret_sha256, site, kiosk_name, kiosk_id, created_at, expires_at)
                VALUES (\(token.secretSHA256), \(token.site), \(token.kioskName), \(token.kioskID), \(token.createdAt), \(token.expiresAt))
                """, logger: logger)
        }
    }

    public func redeem(tokenSHA256: String, keySHA256: String, newKioskID: String, at: Date) async throws(PlatformError) -> KioskRecord {
        try await transaction("enrolling a kiosk") { connection, logger in
            // The token row is locked: two kiosks racing with one token, one wins.
            let rows = try await connection.query(
                """
                SELECT site, kiosk_name, kiosk_id, expires_at, used_at FROM enrolment_token
                WHERE secret_sha256 = \(tokenSHA256) FOR UPDATE
                """, logger: logger)
            var found: (String, String, String?, Date, Date?)?
            for try await row in rows.decode((String, String, String?, Date, Date?).self) { found = row }
            guard let (site, kioskName, existing, expires, used) = found else {
                throw PlatformError(.unknownToken, "no such enrolment token")
            }
            if let used { throw PlatformError(.usedToken, "the token was used at \(EnrolmentText.time(used))") }
            guard expires > at else { throw PlatformError(.expiredToken, "the token expired at \(EnrolmentText.time(expires))") }
            let kiosk: KioskRecord
            if let existing {
                let found = try await connection.query(
                    "SELECT id, name, created_at, revoked_at FROM kiosk WHERE id = \(existing) FOR UPDATE", logger: logger)
                var record: KioskRecord?
                for try await (id, name, created, revoked) in found.decode((String, String, Date, Date?).self) {
                    record = KioskRecord(id: id, name: name, createdAt: created, revokedAt: revoked)
                }
                guard let record, record.revokedAt == nil else {
                    throw PlatformError(.unknownKiosk, "the kiosk this token re-enrols is revoked or gone")
                }
                try await connection.query("UPDATE kiosk SET key_sha256 = \(keySHA256) WHERE id = \(existing)", logger: logger)
                kiosk = KioskRecord(id: record.id, name: record.name, createdAt: record.createdAt, revokedAt: nil, site: site)
            } else {
                let inserted = try await connection.query(
                    """
                    INSERT INTO kiosk (id, name, credential_sha256, created_at, site, key_sha256)
                    VALUES (\(newKioskID), \(kioskName), \("certificate:\(newKioskID)"), \(at), \(site), \(keySHA256))
                    ON CONFLICT (name) DO NOTHING RETURNING id
                    """, logger: logger)
                var done = false
                for try await _ in inserted.decode(String.self) { done = true }
                guard done else { throw PlatformError(.duplicateKiosk, "a kiosk named '\(kioskName)' exists already") }
                kiosk = KioskRecord(id: newKioskID, name: kioskName, createdAt: at, revokedAt: nil, site: site)
            }
            try await connection.query(
                "UPDATE enrolment_token SET used_at = \(at), used_by = \(kiosk.id) WHERE secret_sha256 = \(tokenSHA256)", logger: logger)
            return kiosk
        }
    }

    public func kiosk(id: String) async throws(PlatformError) -> (kiosk: KioskRecord, keySHA256: String?)? {
        try await transaction("finding a kiosk") { connection, logger in
            let rows = try await connection.query(
                "SELECT id, name, created_at, revoked_at, key_sha256, site FROM kiosk WHERE id = \(id)", logger: logger)
            for try await (id, name, created, revoked, key, site) in rows.decode((String, String, Date, Date?, String?, String?).self) {
                return (KioskRecord(id: id, name: name, createdAt: created, revokedAt: revoked, site: site), key)
            }
            return nil
        }
    }

    public func recordCertificate(kioskID: String, notAfter: Date) async throws(PlatformError) {
        _ = try await transaction("noting a certificate") { connection, logger in
            try await connection.query("UPDATE kiosk SET certificate_not_after = \(notAfter) WHERE id = \(kioskID)", logger: logger)
        }
    }

    public func revoke(kiosk nameOrID: String, at: Date) async throws(PlatformError) -> KioskRecord {
        try await transaction("revoking a kiosk") { connection, logger in
            let rows = try await connection.query(
                """
                UPDATE kiosk SET revoked_at = COALESCE(revoked_at, \(at)) WHERE id = \(nameOrID) OR name = \(nameOrID)
                RETURNING id, name, created_at, revoked_at
                """, logger: logger)
            for try await (id, name, created, revoked) in rows.decode((String, String, Date, Date?).self) {
                return KioskRecord(id: id, name: name, createdAt: created, revokedAt: revoked)
            }
            throw PlatformError(.unknownKiosk, "no kiosk named or numbered '\(nameOrID)'")
        }
    }
}
