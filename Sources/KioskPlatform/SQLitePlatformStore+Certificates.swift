import Foundation
import GRDB

extension SQLitePlatformStore {
    public func recordCertificate(_ record: CertificateRecord) async throws(PlatformError) -> CertificateRecord {
        try await write("recording a certificate") { db in
            try db.execute(
                sql: """
                    INSERT INTO certificate (code, query_id, kiosk_id, service, service_name, holder_masked, issued_at, valid_until, pdf_sha256)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (kiosk_id, query_id) DO NOTHING
                    """,
                arguments: [
                    record.code, record.queryID, record.kioskID, record.service, record.serviceName, record.holderMasked, record.issuedAt,
                    record.validUntil, record.pdfSHA256,
                ])
            let row = try Row.fetchOne(
                db, sql: "SELECT * FROM certificate WHERE kiosk_id = ? AND query_id = ?", arguments: [record.kioskID, record.queryID])
            return row.map(Self.certificate) ?? record
        }
    }

    public func certificate(code: String) async throws(PlatformError) -> CertificateRecord? {
        try await read("reading a certificate") { db in
            try Row.fetchOne(db, sql: "SELECT * FROM certificate WHERE code = ?", arguments: [code]).map(Self.certificate)
        }
    }

    private static func certificate(_ row: Row) -> CertificateRecord {
        CertificateRecord(
            code: row["code"], queryID: row["query_id"], kioskID: row["kiosk_id"], service: row["service"],
            serviceName: row["service_name"],
            holderMasked: row["holder_masked"], issuedAt: row["issued_at"], validUntil: row["valid_until"], pdfSHA256: row["pdf_sha256"])
    }
}
