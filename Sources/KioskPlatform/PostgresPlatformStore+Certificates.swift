import Foundation
import PostgresNIO

extension PostgresPlatformStore {
    public func recordCertificate(_ record: CertificateRecord) async throws(PlatformError) -> CertificateRecord {
        try await transaction("recording a certificate") { connection, logger in
            try await connection.query(
                """
                INSERT INTO certificate (code, query_id, kiosk_id, service, service_name, holder_masked, issued_at, valid_until, pdf_sha256)
                VALUES (\(record.code), \(record.queryID), \(record.kioskID), \(record.service), \(record.serviceName),
                    \(record.holderMasked), \(record.issuedAt), \(record.validUntil), \(record.pdfSHA256))
                ON CONFLICT (kiosk_id, query_id) DO NOTHING
                """, logger: logger)
            let rows = try await connection.query(
                """
                SELECT code, query_id, kiosk_id, service, service_name, holder_masked, issued_at, valid_until, pdf_sha256
                FROM certificate WHERE kiosk_id = \(record.kioskID) AND query_id = \(record.queryID)
                """, logger: logger)
            for try await row in rows.decode((String, String, String, String, String, String, Date, String?, String).self) {
                return Self.certificate(row)
            }
            return record
        }
    }

    public func certificate(code: String) async throws(PlatformError) -> CertificateRecord? {
        try await transaction("reading a certificate") { connection, logger in
            let rows = try await connection.query(
                """
                SELECT code, query_id, kiosk_id, service, service_name, holder_masked, issued_at, valid_until, pdf_sha256
                FROM certificate WHERE code = \(code)
                """, logger: logger)
            for try await row in rows.decode((String, String, String, String, String, String, Date, String?, String).self) {
                return Self.certificate(row)
            }
            return nil
        }
    }

    private static func certificate(_ row: (String, String, String, String, String, String, Date, String?, String)) -> CertificateRecord {
        CertificateRecord(
            code: row.0, queryID: row.1, kioskID: row.2, service: row.3, serviceName: row.4, holderMasked: row.5, issuedAt: row.6,
            validUntil: row.7, pdfSHA256: row.8)
    }
}
