import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Free space where kioskd writes: a full disk is seen before a citizen's case fails on it.
struct DiskSpace: Sendable {
    let path: String
    let minimumBytes: Int64

    /// Bytes an unprivileged writer may still use there, or nil when it cannot be told.
    func available() -> Int64? {
        var stats = statvfs()
        guard statvfs(path, &stats) == 0 else { return nil }
        return Int64(stats.f_bavail) * Int64(stats.f_frsize)
    }

    /// Why new cases cannot be taken, or nil while there is room.
    func shortage() -> String? {
        guard let available = available(), available < minimumBytes else { return nil }
        return "only \(available / 1_048_576) MB free in \(path) (at least \(minimumBytes / 1_048_576) MB needed): "
            + "free space, then applications reopen"
    }
}
