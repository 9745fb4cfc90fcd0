import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Runs `body` while holding the test environment's ippeveprinter: tests in other suites (and
/// other test targets, in the same process) take its paper away too, so they take turns.
func withIPPPrinter<T>(environmentDirectory: String, _ body: () async throws -> T) async throws -> T {
    let fd = open(environmentDirectory + "/ippeveprinter.lock", O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
    guard fd >= 0 else { return try await body() }
    defer { close(fd) }
    while flock(fd, LOCK_EX | LOCK_NB) != 0 { try await Task.sleep(for: .milliseconds(50)) }
    defer { flock(fd, LOCK_UN) }
    return try await body()
}
