import Foundation

/// `kioskctl audit verify`: walks the chain and names the first entry that breaks it.
extension AuditTrail {
    public struct Finding: Sendable, Hashable, CustomStringConvertible {
        public enum Kind: String, Sendable { case altered, removed, reordered }
        public var kind: Kind
        /// The position in the file (1-based line) and the entry's own seq.
        public var line: Int
        public var seq: Int64
        public var message: String

        public var description: String { "line \(line) (seq \(seq)): \(kind.rawValue): \(message)" }
    }

    /// Problems with `entries`, in order: an altered entry (its hash does not match its
    /// fields), a removed one (a gap in seq where the chain breaks), entries out of order.
    public static func verify(_ entries: [AuditEntry]) -> [Finding] {
        var findings: [Finding] = []
        let present = Set(entries.map(\.seq))
        var previous: AuditEntry?
        for (index, entry) in entries.enumerated() {
            let line = index + 1
            if entry.computedHash != entry.hash {
                findings.append(Finding(kind: .altered, line: line, seq: entry.seq, message: "its content does not match its hash"))
            }
            let expected = (previous?.seq ?? 0) + 1
            if entry.seq != expected {
                // The seqs between are elsewhere in the file: moved; nowhere: removed.
                let moved = entry.seq < expected || (expected..<entry.seq).contains(where: present.contains)
                findings.append(
                    moved
                        ? Finding(
                            kind: .reordered, line: line, seq: entry.seq, message: "comes after seq \(previous?.seq ?? 0): out of order")
                        : Finding(
                            kind: .removed, line: line, seq: entry.seq, message: "seq \(expected)…\(entry.seq - 1) are missing before it"))
            } else if entry.prev != (previous?.hash ?? AuditEntry.genesis) {
                findings.append(
                    Finding(
                        kind: .altered, line: line, seq: entry.seq,
                        message: "does not chain to the entry before it: that one was changed (and its hash made again)"))
            }
            previous = entry
        }
        return findings
    }
}
