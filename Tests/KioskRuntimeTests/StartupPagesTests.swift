import Foundation
import Testing

@testable import KioskRuntime

/// The idle daemon's RSS after `READY=1`: code only the start ran is unmapped, and nothing
/// that holds data of its own (relocated or written pages) ever is.
@Suite("Pages only the start used are given back")
struct StartupPagesTests {
    @Test("Only private, read-only file mappings without a copied page are chosen")
    func choosesCleanFileMappings() {
        let smaps = """
            55d0a0000000-55d0a0400000 r-xp 00010000 fe:01 1234                       /usr/bin/kioskd
            Size:               4096 kB
            Rss:                3000 kB
            Anonymous:             0 kB
            55d0a0400000-55d0a0500000 r--p 00410000 fe:01 1234                       /usr/bin/kioskd
            Size:               1024 kB
            Rss:                1024 kB
            Anonymous:           512 kB
            55d0a0500000-55d0a0600000 rw-p 00510000 fe:01 1234                       /usr/bin/kioskd
            Size:               1024 kB
            Rss:                 800 kB
            Anonymous:           800 kB
            7f0000000000-7f0000100000 rw-p 00000000 00:00 0
            Size:               1024 kB
            Rss:                1024 kB
            Anonymous:          1024 kB
            7f0000100000-7f0000200000 r--s 00000000 fe:01 99                         /var/lib/kiosk/kiosk.db-shm
            Size:               1024 kB
            Rss:                  32 kB
            Anonymous:             0 kB
            7f0000200000-7f0000300000 r--p 00000000 fe:01 77                         /opt/swift/usr/lib/swift/linux/libswiftCore.so
            Size:               1024 kB
            Rss:                 256 kB
            Anonymous:             0 kB
            7f0000300000-7f0000400000 r-xp 00000000 fe:01 78                         /usr/lib/libunused.so
            Size:               1024 kB
            Rss:                   0 kB
            Anonymous:             0 kB
            7ffd00000000-7ffd00002000 r-xp 00000000 00:00 0                          [vdso]
            Rss:                   8 kB
            Anonymous:             0 kB
            """
        let chosen = StartupPages.cleanFileMappings(smaps: smaps)
        #expect(chosen.map { UInt(bitPattern: $0.start) } == [0x55d0_a000_0000, 0x7f00_0020_0000])
        #expect(chosen.map(\.length) == [0x40_0000, 0x10_0000])
        #expect(chosen.map(\.residentKilobytes) == [3000, 256])
    }

    @Test("Released in this very process: its resident memory drops, and its code still runs")
    func releasesInProcess() throws {
        // The whole of smaps, not its first chunk: the Swift runtime is mapped after the executable.
        let chosen = StartupPages.cleanFileMappings()
        #expect(chosen.count > 4, "\(chosen.count) mappings")
        #expect(StartupPages.currentSmaps()?.contains("libswiftCore.so") == true)
        let before = try residentKilobytes()
        let released = StartupPages.release()
        let after = try residentKilobytes()
        #expect(released > 1024, "released \(released) kB")
        #expect(after < before, "RSS \(before) kB before, \(after) kB after")
        // Code that was unmapped is mapped again when it runs.
        #expect(StartupPages.cleanFileMappings().isEmpty == false)
    }

    private func residentKilobytes() throws -> Int {
        let status = try String(contentsOfFile: "/proc/self/status", encoding: .utf8)
        let line = try #require(status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") })
        return try #require(Int(line.split(separator: " ", omittingEmptySubsequences: true)[1]))
    }
}
