import Crypto
import Foundation
import KioskCatalog
import KioskCore
import KioskSyncAPI
import Logging
import OpenAPIRuntime

/// The sync contract's operations, for the kiosk authenticated on the request
/// (``KioskIdentity``): cases in, changes out, heartbeats and ratings.
public struct SyncService: APIProtocol {
    let storage: any PlatformStorage
    let catalog: Catalog
    let calendar: WorkingDayCalendar?
    let timeZone: TimeZone
    let logger: Logger
    let now: @Sendable () -> Date
    /// How long an unfinished upload is kept after its last chunk.
    let uploadExpiry: TimeInterval
    /// The most bytes one `PATCH` may carry.
    let maxChunk: Int
    /// Shared data and earlier applications prefill lookups are answered from (the reference
    /// platform's demo records; nil: none, every lookup answers nothing).
    let sharedData: SharedDataRecords?
    /// The query-and-print services answered (nil: none, every query is 404).
    let certificates: CertificateOffice?

    public init(
        storage: any PlatformStorage, catalog: Catalog, calendar: WorkingDayCalendar?, timeZone: TimeZone, logger: Logger,
        uploadExpiry: TimeInterval = 24 * 3600, maxChunk: Int = 8 << 20, sharedData: SharedDataRecords? = nil,
        certificates: CertificateOffice? = nil, now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.sharedData = sharedData
        self.certificates = certificates
        self.uploadExpiry = uploadExpiry
        self.maxChunk = maxChunk
        self.storage = storage
        self.catalog = catalog
        self.calendar = calendar
        self.timeZone = timeZone
        self.logger = logger
        self.now = now
    }

    var kiosk: KioskRecord {
        get throws {
            // The authentication middleware runs every sync request as a kiosk; a request that
            // reaches here without one is a wiring fault, never served.
            guard let kiosk = KioskIdentity.current else { throw PlatformError(.unknownKiosk, "no kiosk on this request") }
            return kiosk
        }
    }

    // MARK: Cases

    public func submitCases(_ input: Operations.SubmitCases.Input) async throws -> Operations.SubmitCases.Output {
        let kiosk = try kiosk
        guard case let .json(batch) = input.body else { return .badRequest(.init(body: .json(Self.problem("bad-request", "JSON only")))) }
        // A case is answered by its id: a batch with an id outside the contract's form has no
        // answer to give per case, so the whole request is refused.
        guard batch.cases.allSatisfy({ Self.isIdentifier($0.caseID) && Self.isIdentifier($0.bundle) }) else {
            return .badRequest(.init(body: .json(Self.problem("bad-request", "every caseID and bundle is 1–64 of A–Z a–z 0–9 . _ -"))))
        }
        let at = now()
        // Cases the platform cannot take are answered at once; the rest go in one transaction.
        var answers: [CaseOutcome?] = []
        var planned: [PlannedCase] = []
        for upload in batch.cases {
            switch plan(upload, at: at) {
            case let .take(plan):
                planned.append(plan)
                answers.append(nil)
            case let .refuse(rejection):
                answers.append(rejection)
            }
        }
        var stored = try await storage.store(planned, kiosk: kiosk, at: at).makeIterator()
        var outcomes: [Components.Schemas.CaseOutcome] = []
        for answer in answers {
            guard let outcome = answer ?? stored.next() else { continue }
            outcomes.append(
                Components.Schemas.CaseOutcome(
                    caseID: outcome.caseID, status: .init(rawValue: outcome.status.rawValue) ?? .rejected,
                    platformReceipt: outcome.platformReceipt, storedAt: outcome.storedAt,
                    missingAttachments: outcome.missingAttachments.isEmpty ? nil : outcome.missingAttachments, message: outcome.message))
        }
        logger.info(
            "Cases delivered",
            metadata: [
                "kiosk": "\(kiosk.name)", "count": "\(outcomes.count)",
                "stored": "\(outcomes.filter { $0.status == .stored }.count)",
            ])
        return .ok(.init(body: .json(.init(outcomes: outcomes, serverTime: at))))
    }

    private enum Plan {
        case take(PlannedCase)
        case refuse(CaseOutcome)
    }

    private func plan(_ upload: Components.Schemas.CaseUpload, at: Date) -> Plan {
        func rejected(_ message: String) -> Plan {
            .refuse(CaseOutcome(caseID: upload.caseID, status: .rejected, message: message))
        }
        guard let full = catalog.bundle(upload.bundle) else {
            return rejected("the platform's catalog has no bundle '\(upload.bundle)'")
        }
        // The situation chose the items: work opens for those only, and promises follow them.
        let applied = upload.items.map(Set.init) ?? Set(full.items.map(\.id))
        let unknown = applied.subtracting(full.items.map(\.id)).sorted()
        guard unknown.isEmpty, !applied.isEmpty, upload.items.map({ Set($0).count == $0.count }) ?? true else {
            return rejected(
                unknown.isEmpty
                    ? "items lists each item of the bundle at most once, and at least one"
                    : "bundle '\(full.id)' has no item \(unknown.map { "'\($0)'" }.joined(separator: ", "))")
        }
        // An item may go without one it needs only where a situation may leave that one out;
        // otherwise a department could decide it before the result it needs exists.
        let omissible = Set(full.rules.flatMap(\.skipItems))
        for item in full.items where applied.contains(item.id) {
            if let missing = item.dependsOn.first(where: { !applied.contains($0) && !omissible.contains($0) }) {
                return rejected("item '\(item.id)' needs '\(missing)', which the case does not apply for")
            }
        }
        let bundle = full.applying(applied)
        guard let caseID = CaseID(upload.caseID), let receipt = ReceiptNumber(upload.receiptNumber) else {
            return rejected("the case id or the receipt number is not in the kiosk's format")
        }
        let counts = [upload.steps ?? 0] + (upload.prefill.map { [$0.idCard, $0.sharedData, $0.earlierApplication, $0.citizen] } ?? [])
        guard counts.allSatisfy({ $0 >= 0 }), upload.rating.map({ (1...5).contains($0) }) ?? true else {
            return rejected("counts cannot be negative and a rating is 1–5")
        }
        let attachments = (upload.attachments ?? []).map {
            AttachmentDeclaration(id: $0.attachmentID, kind: $0.kind.rawValue, length: $0.length, sha256: $0.sha256)
        }
        guard Set(attachments.map(\.id)).count == attachments.count,
            attachments.allSatisfy({ Self.isIdentifier($0.id) && Self.isSHA256($0.sha256) && (1...Self.maxAttachment).contains($0.length) })
        else {
            return rejected("attachments need distinct ids, a SHA-256 and 1 byte to 50 MB each")
        }
        let incoming = IncomingCase(
            caseID: upload.caseID, contentSHA256: upload.contentSHA256, receiptNumber: upload.receiptNumber, bundle: upload.bundle,
            bundleVersion: upload.bundleVersion, receivedAt: upload.receivedAt,
            materials: upload.materials.additionalProperties.mapValues(\.rawValue),
            prefill: upload.prefill.map {
                PrefillCounts(idCard: $0.idCard, sharedData: $0.sharedData, earlierApplication: $0.earlierApplication, citizen: $0.citizen)
            },
            steps: upload.steps, simulatedIdentity: upload.simulatedIdentity ?? false, rating: upload.rating, attachments: attachments,
            sealedApplication: Data(upload.sealedApplication.data), resultCollection: upload.resultCollection?.rawValue,
            items: upload.items)
        let detail = BundleCase(id: caseID, receipt: receipt, bundle: bundle, day: CivilDate(at, in: timeZone), at: upload.receivedAt)
        return .take(
            PlannedCase(
                incoming: incoming, digest: Self.digest(incoming), detail: detail, leadDepartment: bundle.leadDepartment,
                items: bundle.items.map { PlannedItem(item: $0.id, department: $0.department) },
                followUpDue: upload.rating.flatMap { followUpDue(level: $0, givenAt: upload.receivedAt) }))
    }

    /// The platform's own hash of what it received: with the kiosk's declared hash, a replay is
    /// recognised only when the content is really the same.
    static func digest(_ incoming: IncomingCase) -> String {
        var hash = SHA256()
        let materials = incoming.materials.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
        let prefill = incoming.prefill.map { "\($0.idCard),\($0.sharedData),\($0.earlierApplication),\($0.citizen)" } ?? "-"
        let steps = incoming.steps.map { String($0) } ?? "-"
        let rating = incoming.rating.map { String($0) } ?? "-"
        let attachments = incoming.attachments.map { "\($0.id):\($0.kind):\($0.length):\($0.sha256)" }.joined(separator: ",")
        // Cases delivered before the collection choice (or the applied items) existed keep the
        // digest they were stored with.
        let collection = incoming.resultCollection.map { [$0] } ?? []
        let items = incoming.items.map { ["items:" + $0.joined(separator: ",")] } ?? []
        let parts: [String] =
            [
                incoming.caseID, incoming.contentSHA256, incoming.receiptNumber, incoming.bundle, incoming.bundleVersion,
                "\(incoming.receivedAt.timeIntervalSince1970)", materials, prefill, steps, "\(incoming.simulatedIdentity)", rating,
                attachments,
            ] + collection + items
        for part in parts {
            hash.update(data: Data(part.utf8))
            hash.update(data: [0])
        }
        hash.update(data: incoming.sealedApplication)
        return hash.finalize().map { String(format: "%02x", $0) }.joined()
    }

    // MARK: Changes

    public func listChanges(_ input: Operations.ListChanges.Input) async throws -> Operations.ListChanges.Output {
        let kiosk = try kiosk
        let limit = input.query.limit ?? 100
        guard (1...500).contains(limit), (input.query.after ?? 0) >= 0 else {
            return .badRequest(.init(body: .json(Self.problem("bad-request", "limit is 1…500 and after is a cursor ≥ 0"))))
        }
        let page = try await storage.changes(kiosk: kiosk.id, after: input.query.after ?? 0, limit: limit)
        let changes = page.changes.map { change in
            Components.Schemas.Change(
                cursor: change.cursor, kind: .init(rawValue: change.kind.rawValue) ?? .itemStage, at: change.at,
                caseID: change.caseID.isEmpty ? nil : change.caseID, item: change.item.isEmpty ? nil : change.item,
                stage: change.stage.flatMap { .init(rawValue: $0.rawValue) }, reason: change.reason, promisedBy: change.promisedBy,
                resultSHA256: change.resultSHA256, resultLength: change.resultLength, version: change.version)
        }
        return .ok(.init(body: .json(.init(changes: changes, more: page.more))))
    }

    // MARK: Heartbeats and ratings

    public func sendHeartbeat(_ input: Operations.SendHeartbeat.Input) async throws -> Operations.SendHeartbeat.Output {
        let kiosk = try kiosk
        guard case let .json(heartbeat) = input.body else {
            return .badRequest(.init(body: .json(Self.problem("bad-request", "JSON only"))))
        }
        guard heartbeat.queueDepth >= 0, (heartbeat.uptimeSeconds ?? 0) >= 0 else {
            return .badRequest(.init(body: .json(Self.problem("bad-request", "queue depth and uptime cannot be negative"))))
        }
        let at = now()
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        try await storage.recordHeartbeat(
            HeartbeatRecord(
                kioskID: kiosk.id, receivedAt: at, sentAt: heartbeat.sentAt, queueDepth: heartbeat.queueDepth,
                body: try encoder.encode(heartbeat)))
        return .ok(.init(body: .json(.init(serverTime: at, skewSeconds: heartbeat.sentAt.timeIntervalSince(at)))))
    }

    public func submitRating(_ input: Operations.SubmitRating.Input) async throws -> Operations.SubmitRating.Output {
        let kiosk = try kiosk
        guard case let .json(rating) = input.body else { return .badRequest(.init(body: .json(Self.problem("bad-request", "JSON only")))) }
        guard Self.isIdentifier(rating.ratingID), Self.isIdentifier(rating.caseID) else {
            return .badRequest(.init(body: .json(Self.problem("bad-request", "ratingID and caseID are 1–64 of A–Z a–z 0–9 . _ -"))))
        }
        guard (1...5).contains(rating.level) else {
            return .badRequest(.init(body: .json(Self.problem("bad-request", "a rating is 1 (非常不满意) to 5 (非常满意)"))))
        }
        let due = followUpDue(level: rating.level, givenAt: rating.givenAt)
        let followUp: Bool
        do {
            followUp = try await storage.recordRating(
                id: rating.ratingID, caseID: rating.caseID, kiosk: kiosk.id, level: rating.level, givenAt: rating.givenAt, followUpDue: due)
        } catch {
            switch error.code {
            case .unknownCase: return .notFound(.init(body: .json(Self.problem("unknown-case", error.message))))
            case .conflict: return .conflict(.init(body: .json(Self.problem("conflict", error.message))))
            default: throw error
            }
        }
        return .ok(.init(body: .json(.init(ratingID: rating.ratingID, status: .stored, followUp: followUp))))
    }

    /// 不满意 and 非常不满意 are 差评: the lead department must follow up (整改) within 5 working days.
    func followUpDue(level: Int, givenAt: Date) -> Date? {
        guard level <= 2 else { return nil }
        return calendar.map { $0.adding(5, .working, to: CivilDate(givenAt, in: timeZone)).date.start(in: timeZone) }
            ?? givenAt.addingTimeInterval(7 * 86_400)
    }

    /// The contract's `Identifier`: 1–64 ASCII letters, digits, `.`, `_` or `-`.
    static func isIdentifier(_ text: String) -> Bool {
        (1...64).contains(text.utf8.count)
            && text.utf8.allSatisfy {
                (0x30...0x39).contains($0) || (0x41...0x5A).contains($0) || (0x61...0x7A).contains($0) || [0x2E, 0x5F, 0x2D].contains($0)
            }
    }

    /// The contract's `Sha256`: 64 lowercase hex digits.
    static func isSHA256(_ text: String) -> Bool {
        text.utf8.count == 64 && text.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }
    }

    /// The largest attachment the contract takes (50 MB).
    static let maxAttachment: Int64 = 52_428_800

    static func problem(_ code: String, _ message: String) -> Components.Schemas.Problem {
        .init(error: .init(code: code, message: message))
    }
}
