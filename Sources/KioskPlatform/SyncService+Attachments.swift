import Crypto
import Foundation
import HTTPTypes
import KioskSyncAPI
import Logging
import OpenAPIRuntime

/// Attachments in, results out: resumable uploads like tus (create, `HEAD`, `PATCH` from the
/// stored offset), each chunk optionally checked on its own and the whole checked at the end.
extension SyncService {
    public func createAttachment(_ input: Operations.CreateAttachment.Input) async throws -> Operations.CreateAttachment.Output {
        let kiosk = try kiosk
        guard case let .json(request) = input.body else { return .badRequest(.init(body: .json(Self.problem("bad-request", "JSON only")))) }
        guard Self.isIdentifier(request.caseID), Self.isIdentifier(request.attachmentID), Self.isSHA256(request.sha256),
            (1...Self.maxAttachment).contains(request.length)
        else {
            return .badRequest(
                .init(body: .json(Self.problem("bad-request", "an attachment needs its case, its id, 1 byte to 50 MB and a SHA-256"))))
        }
        let at = now()
        do {
            let state = try await storage.createUpload(
                caseID: request.caseID, attachmentID: request.attachmentID, kiosk: kiosk.id, length: request.length, sha256: request.sha256,
                at: at, expiresAt: at.addingTimeInterval(uploadExpiry))
            return .created(.init(body: .json(Self.wire(state))))
        } catch {
            switch error.code {
            case .unknownAttachment, .unknownCase: return .notFound(.init(body: .json(Self.problem(error.code.description, error.message))))
            case .conflict: return .conflict(.init(body: .json(Self.problem("conflict", error.message))))
            default: throw error
            }
        }
    }

    public func attachmentOffset(_ input: Operations.AttachmentOffset.Input) async throws -> Operations.AttachmentOffset.Output {
        let kiosk = try kiosk
        do {
            let state = try await storage.upload(
                caseID: input.path.caseID, attachmentID: input.path.attachmentID, kiosk: kiosk.id, at: now())
            return .ok(
                .init(
                    headers: .init(
                        uploadOffset: state.offset, uploadLength: state.length, uploadExpires: state.expiresAt.map(Self.httpDate))))
        } catch {
            switch error.code {
            case .unknownAttachment: return .notFound(.init())
            case .expired: return .gone(.init())
            default: throw error
            }
        }
    }

    public func appendAttachment(_ input: Operations.AppendAttachment.Input) async throws -> Operations.AppendAttachment.Output {
        let kiosk = try kiosk
        guard case let .applicationOffsetOctetStream(body) = input.body else {
            return .badRequest(.init(body: .json(Self.problem("bad-request", "send the bytes as application/offset+octet-stream"))))
        }
        let bytes: Data
        do {
            bytes = try await Data(collecting: body, upTo: maxChunk)
        } catch {
            return .contentTooLarge(
                .init(body: .json(Self.problem("too-large", "one PATCH carries at most \(maxChunk) bytes; send the rest in another"))))
        }
        if let checksum = input.headers.uploadChecksum {
            // tus's checksum extension: a chunk that does not match is not written, so a byte
            // flipped on the way costs one chunk, not the whole upload.
            let expected = checksum.dropFirst("sha256 ".count)
            guard Data(SHA256.hash(data: bytes)).base64EncodedString() == expected else {
                return .unprocessableContent(
                    .init(body: .json(Self.problem("checksum-mismatch", "this chunk does not match its Upload-Checksum; it was not kept"))))
            }
        }
        let at = now()
        let (caseID, attachmentID) = (input.path.caseID, input.path.attachmentID)
        do {
            let (state, failed) = try await storage.append(
                caseID: caseID, attachmentID: attachmentID, kiosk: kiosk.id, offset: input.headers.uploadOffset, bytes: bytes, at: at,
                expiresAt: at.addingTimeInterval(uploadExpiry))
            if failed {
                logger.warning(
                    "Attachment failed its SHA-256; upload starts again", metadata: ["kiosk": "\(kiosk.name)", "case": "\(caseID)"])
                return .unprocessableContent(
                    .init(
                        body: .json(
                            Self.problem(
                                "checksum-mismatch",
                                "'\(attachmentID)' does not match the SHA-256 its case declared; it was dropped, send it again from offset 0"
                            ))))
            }
            if state.verified {
                logger.info(
                    "Attachment verified", metadata: ["kiosk": "\(kiosk.name)", "case": "\(caseID)", "attachment": "\(attachmentID)"])
            }
            return .ok(.init(headers: .init(uploadOffset: state.offset), body: .json(Self.wire(state))))
        } catch {
            let problem = Self.problem(error.code.description, error.message)
            switch error.code {
            case .unknownAttachment: return .notFound(.init(body: .json(problem)))
            case .offsetMismatch: return .conflict(.init(body: .json(problem)))
            case .expired: return .gone(.init(body: .json(problem)))
            case .tooLarge: return .contentTooLarge(.init(body: .json(problem)))
            default: throw error
            }
        }
    }

    public func downloadResult(_ input: Operations.DownloadResult.Input) async throws -> Operations.DownloadResult.Output {
        let kiosk = try kiosk
        guard let document = try await storage.result(caseID: input.path.caseID, item: input.path.item, kiosk: kiosk.id) else {
            return .notFound(.init(body: .json(Self.problem("not-found", "no result document for that item of this kiosk's cases"))))
        }
        return .ok(.init(body: .pdf(HTTPBody(document))))
    }

    static func wire(_ state: UploadState) -> Components.Schemas.AttachmentState {
        .init(
            caseID: state.caseID, attachmentID: state.attachmentID, length: state.length, offset: state.offset, verified: state.verified,
            expiresAt: state.expiresAt)
    }

    /// RFC 9110's HTTP-date, as tus's `Upload-Expires` has it.
    static func httpDate(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        return formatter.string(from: date)
    }
}
