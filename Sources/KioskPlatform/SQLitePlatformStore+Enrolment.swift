import Foundation
import GRDB

extension SQLitePlatformStore {
    public func createToken(_ token: EnrolmentTokenRecord) async throws(PlatformError) {
        try await write("storing an enrolment token") { db in
            try db.execute(
                sql: """
                    INSERT INTO enrolment_token (secret_sha256, site, kiosk_name, kiosk_id, created_at, expires_at)
                    VALUES (?, ?, ?, ?, ?, ?)
                    """,
                arguments: [token.secretSHA256, token.site, token.kioskName, token.kioskID, token.createdAt, token.expiresAt])
        }
    }

    public func redeem(tokenSHA256: String, keySHA256: String, newKioskID: String, at: Date) async throws(PlatformError) -> KioskRecord {
        try await write("enrolling a kiosk") { db in
            guard let token = try Row.fetchOne(db, sql: "SELECT * FROM enrolment_token WHERE secret_sha256 = ?", arguments: [tokenSHA256])
            else { throw PlatformError(.unknownToken, "no such enrolment token") }
            if let used: Date = token["used_at"] {
                throw PlatformError(.usedToken, "the token was used at \(EnrolmentText.time(used))")
            }
            let expires: Date = token["expires_at"]
            guard expires > at else { throw PlatformError(.expiredToken, "the token expired at \(EnrolmentText.time(expires))") }
            let kiosk: KioskRecord
            if let existing: String = token["kiosk_id"] {
                guard let row = try Row.fetchOne(db, sql: "SELECT * FROM kiosk WHERE id = ?", arguments: [existing]),
                    row["revoked_at"] as Date? == nil
                else { throw PlatformError(.unknownKiosk, "the kiosk this token re-enrols is revoked or gone") }
                try db.execute(sql: "UPDATE kiosk SET key_sha256 = ? WHERE id = ?", arguments: [keySHA256, existing])
                kiosk = KioskRecord(id: existing, name: row["name"], createdAt: row["created_at"], revokedAt: nil, site: token["site"])
            } else {
                let name: String = token["kiosk_name"]
                if try Bool.fetchOne(db, sql: "SELECT 1 FROM kiosk WHERE name = ?", arguments: [name]) == true {
                    throw PlatformError(.duplicateKiosk, "a kiosk named '\(name)' exists already")
                }
                try db.execute(
                    sql: "INSERT INTO kiosk (id, name, credential_sha256, created_at, site, key_sha256) VALUES (?, ?, ?, ?, ?, ?)",
                    arguments: [newKioskID, name, "certificate:\(newKioskID)", at, token["site"] as String, keySHA256])
                kiosk = KioskRecord(id: newKioskID, name: name, createdAt: at, revokedAt: nil, site: token["site"])
            }
            try db.execute(
                sql: "UPDATE enrolment_token SET used_at = ?, used_by = ? WHERE secret_sha256 = ?", arguments: [at, kiosk.id, tokenSHA256])
            return kiosk
        }
    }

    public func kiosk(id: String) async throws(PlatformError) -> (kiosk: KioskRecord, keySHA256: String?)? {
        try await read("finding a kiosk") { db in
            try Row.fetchOne(db, sql: "SELECT * FROM kiosk WHERE id = ?", arguments: [id]).map { row in
                var kiosk = Self.kiosk(row)
                kiosk.site = row["site"]
                return (kiosk, row["key_sha256"])
            }
        }
    }

    public func recordCertificate(kioskID: String, notAfter: Date) async throws(PlatformError) {
        try await write("noting a certificate") { db in
            try db.execute(sql: "UPDATE kiosk SET certificate_not_after = ? WHERE id = ?", arguments: [notAfter, kioskID])
        }
    }

    public func revoke(kiosk nameOrID: String, at: Date) async throws(PlatformError) -> KioskRecord {
        try await write("revoking a kiosk") { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM kiosk WHERE id = ? OR name = ?", arguments: [nameOrID, nameOrID])
            else { throw PlatformError(.unknownKiosk, "no kiosk named or numbered '\(nameOrID)'") }
            let id: String = row["id"]
            try db.execute(sql: "UPDATE kiosk SET revoked_at = COALESCE(revoked_at, ?) WHERE id = ?", arguments: [at, id])
            return Self.kiosk(try Row.fetchOne(db, sql: "SELECT * FROM kiosk WHERE id = ?", arguments: [id]) ?? row)
        }
    }
}

/// Times in refusals, in the platform's words.
enum EnrolmentText {
    static func time(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        return formatter.string(from: date)
    }
}
