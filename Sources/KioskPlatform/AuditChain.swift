import Foundation
import KioskAudit

/// The platform's check of a kiosk's audit entries on arrival: each must hash to itself and
/// continue the chain the platform holds; entries it holds already must be the same ones. Pure:
/// the storage fetches what it holds and writes what this returns, in one transaction.
public protocol AuditStorage: Sendable {
    /// Checks and appends `entries` for `kiosk`; the answer is the last seq held. A batch that
    /// does not check throws `.conflict` and changes nothing but the kiosk's flag.
    func appendAudit(kiosk: String, entries: [AuditEntry]) async throws(PlatformError) -> Int64
    /// The last seq held, and the problem the kiosk is flagged with (nil: the chain checked).
    func auditState(kiosk: String) async throws(PlatformError) -> (held: Int64, problem: String?)
}

enum AuditChain {
    /// The entries of `batch` that are new, after checking the whole batch.
    /// - Parameters:
    ///   - last: the last entry held (seq and hash), nil before the first;
    ///   - held: the hashes held for the batch's seqs not after `last`.
    static func check(
        _ batch: [AuditEntry], last: (seq: Int64, hash: String)?, held: [Int64: String]
    ) throws(PlatformError)
        -> [AuditEntry]
    {
        var new: [AuditEntry] = []
        var tip = last
        for entry in batch {
            guard entry.computedHash == entry.hash else {
                throw PlatformError(.conflict, "audit entry \(entry.seq) does not match its hash: it was altered")
            }
            if let tip, entry.seq <= tip.seq, new.isEmpty {
                // A replay (the kiosk lost its cursor, e.g. after a factory reset): the same entry, or a forgery.
                guard held[entry.seq] == entry.hash else {
                    throw PlatformError(
                        .conflict, "audit entry \(entry.seq) differs from the one this platform holds: the trail was rewritten")
                }
                continue
            }
            let expected = (tip?.seq ?? 0) + 1
            guard entry.seq == expected else {
                throw PlatformError(
                    .conflict,
                    entry.seq > expected
                        ? "audit entries \(expected)…\(entry.seq - 1) are missing: removed from the trail"
                        : "audit entry \(entry.seq) comes after \(expected - 1): out of order")
            }
            guard entry.prev == (tip?.hash ?? AuditEntry.genesis) else {
                throw PlatformError(.conflict, "audit entry \(entry.seq) does not chain to entry \(expected - 1): the trail was rewritten")
            }
            new.append(entry)
            tip = (entry.seq, entry.hash)
        }
        return new
    }
}
