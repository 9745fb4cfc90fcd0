import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Replaces a file so that a reader sees the old content or the new, never a mix, even after
/// a power cut: a temporary file beside it, written and fsynced, renamed over it, and the
/// folder fsynced so that the rename itself is durable.
enum AtomicFile {
    static func replace(_ path: String, with data: Data, mode: mode_t = 0o644) throws(CLIFailure) {
        let folder = (path as NSString).deletingLastPathComponent.isEmpty ? "." : (path as NSString).deletingLastPathComponent
        let temporary = (folder as NSString).appendingPathComponent(".\((path as NSString).lastPathComponent).\(getpid()).tmp")
        func failure(_ what: String) -> CLIFailure {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            return CLIFailure("cannot \(what) (\(reason)); \(path) is unchanged", exitCode: 1)
        }
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode)
        guard descriptor >= 0 else { throw failure("create \(temporary)") }
        var written = 0
        let ok = data.withUnsafeBytes { bytes -> Bool in
            while written < bytes.count {
                let count = write(descriptor, bytes.baseAddress! + written, bytes.count - written)
                if count < 0 && errno == EINTR { continue }
                guard count > 0 else { return false }
                written += count
            }
            return true
        }
        // fchmod: open's mode is filtered by the umask, and a profile must stay readable by kioskd.
        guard ok, fchmod(descriptor, mode) == 0, fsync(descriptor) == 0 else {
            close(descriptor)
            throw failure("write \(temporary)")
        }
        close(descriptor)
        guard rename(temporary, path) == 0 else { throw failure("rename \(temporary) to \(path)") }
        let directory = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if directory >= 0 {
            fsync(directory)
            close(directory)
        }
    }
}
