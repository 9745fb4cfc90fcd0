import Crypto
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The kiosk's append-only, hash-chained audit trail: `state_dir/audit/audit.jsonl`, one JSON
/// entry per line, kept through a factory reset and for at least 6 months (MLPS 2.0: nothing
/// here ever deletes it). kioskd and kioskctl both append, under an exclusive `flock`, so two
/// writers never fork the chain. The platform receives every entry and checks the chain on
/// arrival: a kiosk's root user could rewrite this file, but not what the platform holds.
public struct AuditTrail: Sendable, Equatable {
    public let folder: URL
    public var file: URL { folder.appendingPathComponent("audit.jsonl") }

    public init(stateDirectory: String) {
        folder = URL(fileURLWithPath: stateDirectory).appendingPathComponent("audit")
    }

    /// Appends an event, durably (fsync), chained to the last entry.
    @discardableResult
    public func record(_ kind: AuditEntry.Kind, actor: String, detail: String, at: Date = Date()) throws(AuditError) -> AuditEntry {
        try withLockedFile { descriptor throws(AuditError) in
            let last = try Self.lastEntry(descriptor)
            let entry = AuditEntry(
                seq: (last?.seq ?? 0) + 1, at: at, kind: kind.rawValue, actor: actor, detail: detail, prev: last?.hash ?? AuditEntry.genesis
            )
            var line: Data
            do { line = try Self.encoder.encode(entry) } catch { throw AuditError(.io, "an audit entry cannot be encoded: \(error)") }
            line.append(0x0A)
            lseek(descriptor, 0, SEEK_END)
            let written = line.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
            guard written == line.count, fsync(descriptor) == 0 else {
                throw AuditError(.io, "cannot append to \(file.path): \(String(cString: strerror(errno)))")
            }
            return entry
        }
    }

    /// Every entry in order (a line that does not read is reported, not skipped).
    public func entries() throws(AuditError) -> [AuditEntry] {
        guard let data = FileManager.default.contents(atPath: file.path) else { return [] }
        var entries: [AuditEntry] = []
        for (index, line) in data.split(separator: 0x0A).enumerated() {
            do { entries.append(try Self.decoder.decode(AuditEntry.self, from: Data(line))) } catch {
                throw AuditError(.damaged, "line \(index + 1) of \(file.path) is not an audit entry: altered, or cut off")
            }
        }
        return entries
    }

    /// Entries after `seq` (what the platform does not hold yet), at most `limit`.
    public func entries(after seq: Int64, limit: Int) throws(AuditError) -> [AuditEntry] {
        Array(try entries().filter { $0.seq > seq }.prefix(limit))
    }

    // MARK: Files

    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }()

    static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }()

    /// Opens (creating: folder 0700, file 0600, owned like the state folder when run as root)
    /// and locks the file for the duration of `body`.
    private func withLockedFile<T>(_ body: (Int32) throws(AuditError) -> T) throws(AuditError) -> T {
        let manager = FileManager.default
        do {
            try manager.createDirectory(at: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw AuditError(.io, "cannot create \(folder.path): \(error)")
        }
        let descriptor = open(file.path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw AuditError(.io, "cannot open \(file.path): \(String(cString: strerror(errno)))") }
        defer { close(descriptor) }
        // Written by root (kioskctl) for the kiosk user: the files stay the kiosk user's.
        if getuid() == 0, let owner = try? manager.attributesOfItem(atPath: folder.deletingLastPathComponent().path),
            let uid = owner[.ownerAccountID] as? NSNumber, let gid = owner[.groupOwnerAccountID] as? NSNumber
        {
            fchown(descriptor, uid.uint32Value, gid.uint32Value)
            chown(folder.path, uid.uint32Value, gid.uint32Value)
        }
        guard flock(descriptor, LOCK_EX) == 0 else { throw AuditError(.io, "cannot lock \(file.path)") }
        defer { flock(descriptor, LOCK_UN) }
        return try body(descriptor)
    }

    /// The last complete entry of the open file (read from its end, not the whole file).
    private static func lastEntry(_ descriptor: Int32) throws(AuditError) -> AuditEntry? {
        let size = lseek(descriptor, 0, SEEK_END)
        guard size > 0 else { return nil }
        let window = min(Int(size), 64 * 1024)
        var buffer = [UInt8](repeating: 0, count: window)
        let read = pread(descriptor, &buffer, window, off_t(Int(size) - window))
        guard read == window else { throw AuditError(.io, "cannot read the audit trail's end") }
        let lines = buffer.split(separator: 0x0A)
        guard let last = lines.last else { return nil }
        do { return try decoder.decode(AuditEntry.self, from: Data(last)) } catch {
            throw AuditError(
                .damaged, "the audit trail's last line is not an entry (cut off or altered): 'kioskctl audit verify' says where")
        }
    }
}

extension AuditTrail {
    /// SHA-256 (hex) of `data`: how a configuration or a profile is named in an entry.
    public static func digest(_ data: Data) -> String {
        SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
    }

    /// Records `kind` for `subject` only when its digest differs from the last one recorded
    /// (kioskd notes its configuration at every start; only a change makes an entry).
    @discardableResult
    public func recordIfChanged(_ kind: AuditEntry.Kind, subject: String, digest: String, actor: String) throws(AuditError) -> Bool {
        let last = try entries().last { $0.kind == kind.rawValue && $0.detail.hasPrefix("\(subject) ") }
        guard last?.detail.hasSuffix("sha256 \(digest)") != true else { return false }
        try record(kind, actor: actor, detail: "\(subject) \(last == nil ? "first seen" : "changed"), sha256 \(digest)")
        return true
    }
}
