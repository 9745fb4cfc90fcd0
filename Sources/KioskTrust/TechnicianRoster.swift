import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The technicians who may enter maintenance on this kiosk, with their PINs' hashes:
/// `state_dir/technicians.json` (0600), written by `kioskctl technician set-pin`, read by kioskd
/// at each attempt (so a new PIN counts without a restart).
public struct TechnicianRoster: Codable, Sendable, Equatable {
    /// Name → the PIN's hash.
    public var technicians: [String: TechnicianPIN]

    public init(technicians: [String: TechnicianPIN] = [:]) {
        self.technicians = technicians
    }

    /// The file in a state folder.
    public static func file(stateDirectory: String) -> URL {
        URL(fileURLWithPath: stateDirectory).appendingPathComponent("technicians.json")
    }

    /// What is wrong with `name` as a technician's name (nil: fine).
    public static func problem(withName name: String) -> String? {
        guard (1...40).contains(name.count), !name.contains("|"), !name.contains(where: \.isNewline),
            name.trimmingCharacters(in: .whitespaces) == name
        else { return "a technician's name is 1 to 40 characters, without '|', line breaks or spaces at its ends" }
        return nil
    }

    /// The roster of a state folder (empty when there is none yet).
    public static func load(stateDirectory: String) throws(TrustError) -> TechnicianRoster {
        let url = file(stateDirectory: stateDirectory)
        guard let data = FileManager.default.contents(atPath: url.path) else {
            if FileManager.default.fileExists(atPath: url.path) { throw TrustError(.files, "\(url.path) cannot be read") }
            return TechnicianRoster()
        }
        do { return try EnrolmentJSON.decoder.decode(TechnicianRoster.self, from: data) } catch {
            throw TrustError(.files, "\(url.path) is damaged: \(error)")
        }
    }

    /// Writes the roster by rename (0600), owned like the state folder when run as root (kioskctl
    /// runs as root, kioskd as the kiosk user).
    public func save(stateDirectory: String) throws(TrustError) {
        let url = Self.file(stateDirectory: stateDirectory)
        let data: Data
        do { data = try EnrolmentJSON.encoder.encode(self) } catch { throw TrustError(.files, "cannot encode the roster: \(error)") }
        let manager = FileManager.default
        do { try manager.createDirectory(atPath: stateDirectory, withIntermediateDirectories: true) } catch {
            throw TrustError(.files, "cannot make \(stateDirectory): \(error)")
        }
        let temporary = URL(fileURLWithPath: stateDirectory).appendingPathComponent(".technicians.json.\(getpid())")
        guard manager.createFile(atPath: temporary.path, contents: data, attributes: [.posixPermissions: 0o600]) else {
            throw TrustError(.files, "cannot write \(temporary.path)")
        }
        if getuid() == 0, let owner = try? manager.attributesOfItem(atPath: stateDirectory),
            let uid = owner[.ownerAccountID] as? NSNumber, let gid = owner[.groupOwnerAccountID] as? NSNumber
        {
            chown(temporary.path, uid.uint32Value, gid.uint32Value)
        }
        let file = open(temporary.path, O_RDONLY)
        if file >= 0 {
            fsync(file)
            close(file)
        }
        guard rename(temporary.path, url.path) == 0 else {
            unlink(temporary.path)
            throw TrustError(.files, "cannot replace \(url.path): \(String(cString: strerror(errno)))")
        }
    }
}
