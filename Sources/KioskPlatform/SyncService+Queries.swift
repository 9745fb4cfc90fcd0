import Foundation
import KioskCatalog
import KioskCore
import KioskSyncAPI
import Logging
import OpenAPIRuntime

extension SyncService {
    /// 查询打印: a certificate for the citizen whose card is on the kiosk's reader. The card's
    /// number is used for the lookup and printed on the paper; the platform keeps only the
    /// verification record (code, service, masked name, time).
    public func queryCertificate(_ input: Operations.QueryCertificate.Input) async throws -> Operations.QueryCertificate.Output {
        let kiosk = try kiosk
        guard case let .json(query) = input.body else {
            return .badRequest(.init(body: .json(Self.problem("bad-request", "JSON only"))))
        }
        guard Self.isIdentifier(query.queryID), Self.isIdentifier(query.service), (6...32).contains(query.idNumber.count),
            query.idNumber.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }),
            let cardType = IDCardType(rawValue: query.cardType.rawValue)
        else {
            return .badRequest(
                .init(
                    body: .json(
                        Self.problem("bad-request", "a query id, a service id, the card's number (6–32 letters and digits) and its type"))))
        }
        guard let office = certificates else {
            return .notFound(.init(body: .json(Self.problem("unknown-service", "this platform answers no query services"))))
        }
        let decision: CertificateOffice.Decision
        switch office.decide(service: query.service, idNumber: query.idNumber, cardType: cardType) {
        case let .success(found): decision = found
        case let .failure(refusal) where refusal.code == "unknown-service":
            return .notFound(.init(body: .json(Self.problem(refusal.code, refusal.message))))
        case let .failure(refusal):
            return .unprocessableContent(.init(body: .json(Self.problem(refusal.code, refusal.message))))
        }
        let issuedAt = now()
        let candidate = CertificateRecord(
            code: CertificateOffice.newCode(), queryID: query.queryID, kioskID: kiosk.id, service: decision.service.id,
            serviceName: decision.service.name, holderMasked: Masking.name(decision.person.name), issuedAt: issuedAt,
            validUntil: office.validUntil(decision.service, issuedAt: issuedAt), pdfSHA256: "")
        // The digest of what is printed is kept with the record the first time; a replay of
        // the query answers the first record (its code and time) rendered again.
        var record = candidate
        record.pdfSHA256 = CertificateOffice.sha256(
            try office.render(decision, record: candidate, idNumber: query.idNumber, cardType: cardType))
        let kept = try await storage.recordCertificate(record)
        let pdf = try office.render(decision, record: kept, idNumber: query.idNumber, cardType: cardType)
        logger.info(
            "Certificate issued",
            metadata: ["kiosk": "\(kiosk.name)", "service": "\(kept.service)", "replay": "\(kept.code != candidate.code)"])
        var preview: [Components.Schemas.Certificate.PreviewPayloadPayload] = [
            .init(label: "姓名", value: kept.holderMasked),
            .init(label: cardType.chineseName, value: Masking.number(query.idNumber)),
        ]
        preview += decision.lines.prefix(12).map { .init(label: String($0.label.prefix(40)), value: String($0.value.prefix(200))) }
        if let until = kept.validUntil { preview.append(.init(label: "有效期至", value: until)) }
        return .ok(
            .init(
                body: .json(
                    .init(
                        queryID: query.queryID, service: kept.service, serviceName: kept.serviceName, verificationCode: kept.code,
                        verifyURL: office.verificationURL(code: kept.code), issuedAt: kept.issuedAt, validUntil: kept.validUntil,
                        preview: preview, pdf: Base64EncodedData(pdf)))))
    }
}
