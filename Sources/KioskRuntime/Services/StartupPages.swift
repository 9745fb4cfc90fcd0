import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// What the start leaves mapped and the idle daemon no longer uses.
///
/// Starting touches code that never runs again (configuration and catalogue parsing, the
/// store's migrations, building the routers), and the kernel maps file pages around each
/// touched one (64 KB of fault-around): at `READY=1` most of kioskd's code and a good part of
/// Foundation's are counted in its RSS, though it will not run them again. Those pages are
/// clean copies of files in the page cache, so unmapping them loses nothing: code that runs
/// later is mapped again from the page cache (a minor fault, no disk read).
enum StartupPages {
    /// Unmaps this process's private, read-only, file-backed mappings that hold no private copy
    /// (code and read-only data, never relocated or written data). Returns
    /// the kilobytes that were resident in the unmapped ranges.
    @discardableResult
    static func release() -> Int {
        var released = 0
        for mapping in cleanFileMappings() where madvise(mapping.start, mapping.length, MADV_DONTNEED) == 0 {
            released += mapping.residentKilobytes
        }
        return released
    }

    struct Mapping {
        let start: UnsafeMutableRawPointer
        let length: Int
        let residentKilobytes: Int
    }

    /// `/proc/self/smaps` read to its end: a `/proc` file says it is empty, and a read sized by
    /// that stops after the first chunk (the executable's own mappings only).
    static func currentSmaps() -> String? {
        guard let file = FileHandle(forReadingAtPath: "/proc/self/smaps") else { return nil }
        defer { try? file.close() }
        guard let data = try? file.readToEnd() else { return nil }
        return String(decoding: data, as: UTF8.self)
    }

    /// The mappings of `/proc/self/smaps` that are private, not writable, backed by a file and
    /// without a single anonymous (copied-on-write) page: dropping one of those pages can only
    /// ever mean reading the same bytes from the file again.
    static func cleanFileMappings(smaps: String? = nil) -> [Mapping] {
        guard let text = smaps ?? currentSmaps() else { return [] }
        var mappings: [Mapping] = []
        var candidate: (start: UInt, end: UInt)?
        var resident = 0
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard let first = fields.first else { continue }
            if first.contains("-"), fields.count >= 5 {
                let bounds = first.split(separator: "-")
                let permissions = fields[1]
                let isFile = fields.count >= 6 && fields[5].hasPrefix("/")
                if permissions.hasPrefix("r"), permissions.dropFirst().hasPrefix("-"), permissions.hasSuffix("p"), isFile,
                    bounds.count == 2, let start = UInt(bounds[0], radix: 16), let end = UInt(bounds[1], radix: 16)
                {
                    candidate = (start, end)
                } else {
                    candidate = nil
                }
                resident = 0
            } else if candidate != nil, first == "Rss:", fields.count > 1 {
                resident = Int(fields[1]) ?? 0
            } else if let range = candidate, first == "Anonymous:", fields.count > 1 {
                // Rss precedes Anonymous in every smaps entry.
                if fields[1] == "0", resident > 0, let start = UnsafeMutableRawPointer(bitPattern: range.start) {
                    mappings.append(Mapping(start: start, length: Int(range.end - range.start), residentKilobytes: resident))
                }
                candidate = nil
            }
        }
        return mappings
    }
}
