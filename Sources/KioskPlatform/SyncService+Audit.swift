import Foundation
import KioskAudit
import KioskSyncAPI
import Logging

extension SyncService {
    /// A kiosk's audit entries: checked (hash, chain, continuity with what is held) and kept.
    public func submitAudit(_ input: Operations.SubmitAudit.Input) async throws -> Operations.SubmitAudit.Output {
        let kiosk = try kiosk
        guard case let .json(batch) = input.body else { return .badRequest(.init(body: .json(Self.problem("bad-request", "JSON only")))) }
        guard (1...200).contains(batch.entries.count) else {
            return .badRequest(.init(body: .json(Self.problem("bad-request", "a batch holds 1 to 200 entries"))))
        }
        let entries = batch.entries.map {
            var entry = AuditEntry(seq: $0.seq, at: $0.at, kind: $0.kind, actor: $0.actor, detail: $0.detail, prev: $0.prev)
            // As sent: the check below compares it with what its fields give.
            entry.hash = $0.hash
            return entry
        }
        guard entries.allSatisfy({ $0.seq >= 1 && Self.isSHA256($0.prev) && Self.isSHA256($0.hash) }) else {
            return .badRequest(.init(body: .json(Self.problem("bad-request", "each entry has a seq from 1 and SHA-256 hashes"))))
        }
        let held: Int64
        do {
            held = try await storage.appendAudit(kiosk: kiosk.id, entries: entries)
        } catch {
            guard error.code == .conflict else { throw error }
            logger.error("A kiosk's audit trail does not check", metadata: ["kiosk": "\(kiosk.id)", "problem": "\(error.message)"])
            return .conflict(.init(body: .json(Self.problem("audit-chain", error.message))))
        }
        return .ok(.init(body: .json(.init(held: held))))
    }
}
