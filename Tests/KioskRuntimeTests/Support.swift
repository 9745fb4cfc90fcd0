import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Runs a blocking call (poll, waitpid, a pipe read) on a thread of its own: on the
/// cooperative pool it would starve every other test running meanwhile.
func offPool<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
    await withCheckedContinuation { continuation in
        let thread = Thread { continuation.resume(returning: body()) }
        thread.start()
    }
}

/// A fresh folder per test, removed afterwards. Short, because unix socket paths must be.
final class Scratch {
    let path: String
    init() throws {
        path = "/tmp/kt-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }
    func file(_ name: String) -> String { (path as NSString).appendingPathComponent(name) }
    func write(_ name: String, _ text: String) throws -> String {
        let target = file(name)
        try text.write(toFile: target, atomically: true, encoding: .utf8)
        return target
    }
    deinit { try? FileManager.default.removeItem(atPath: path) }
}

/// A unix datagram socket standing in for systemd's notify socket.
final class NotifyListener: @unchecked Sendable {
    // Unchecked: the descriptor is only read by one waiting thread at a time (tests await each wait).
    let descriptor: Int32
    /// The value for `$NOTIFY_SOCKET`.
    let address: String

    /// Binds a socket at `path`, or in the abstract namespace when `abstractName` is given.
    init(path: String? = nil, abstractName: String? = nil) throws {
        descriptor = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        var bytes: [UInt8]
        if let abstractName {
            bytes = [0] + Array(abstractName.utf8)
            self.address = "@" + abstractName
        } else {
            bytes = Array((path ?? "").utf8)
            self.address = path ?? ""
        }
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: bytes) }
        let length = socklen_t(MemoryLayout<sa_family_t>.size + bytes.count + (abstractName == nil ? 1 : 0))
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) }
        }
        guard result == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EINVAL) }
    }

    /// The next datagram, or `nil` after `timeout`.
    func receive(timeout: Duration) -> String? {
        var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        let milliseconds = Int32(timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000)
        guard poll(&poller, 1, milliseconds) == 1 else { return nil }
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = recv(descriptor, &buffer, buffer.count, 0)
        guard count > 0 else { return nil }
        return String(decoding: buffer[0..<count], as: UTF8.self)
    }

    /// Waits, off the cooperative pool, for a datagram containing `text`.
    func waitFor(_ text: String, timeout: Duration) async -> [String]? {
        await offPool { self.waitForBlocking(text, timeout: timeout) }
    }

    /// Waits, off the cooperative pool, for the next datagram.
    func next(timeout: Duration) async -> String? {
        await offPool { self.receive(timeout: timeout) }
    }

    /// Counts, off the cooperative pool, the datagrams containing `text` that arrive within
    /// `window`: a stalled test task cannot shorten the window or let the socket overflow.
    func count(_ text: String, within window: Duration) async -> Int {
        await offPool {
            let end = ContinuousClock.now + window
            var count = 0
            while ContinuousClock.now < end {
                if let message = self.receive(timeout: end - ContinuousClock.now), message.contains(text) { count += 1 }
            }
            return count
        }
    }

    private func waitForBlocking(_ text: String, timeout: Duration) -> [String]? {
        let deadline = ContinuousClock.now + timeout
        var seen: [String] = []
        while ContinuousClock.now < deadline {
            guard let message = receive(timeout: deadline - ContinuousClock.now) else { break }
            seen.append(message)
            if message.contains(text) { return seen }
        }
        return nil
    }

    deinit { close(descriptor) }
}

/// The folder holding the built executables (`kioskd`, `kioskctl`): where the test runner is.
let binaries: URL = {
    let runner = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
    var folder = runner.deletingLastPathComponent()
    if folder.lastPathComponent == "MacOS" || folder.lastPathComponent.hasSuffix(".xctest") {
        folder = folder.deletingLastPathComponent()
    }
    if FileManager.default.fileExists(atPath: folder.appendingPathComponent("kioskd").path) { return folder }
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    return root.appendingPathComponent(".build/debug")
}()

/// A program run by a test, with its output captured.
final class Program {
    let process = Process()
    /// When ``finish(timeout:)`` saw the program exit (nil: not yet, or killed past its timeout).
    private(set) var exitSeen: ContinuousClock.Instant?
    private let output = Pipe()
    private let errors = Pipe()

    /// `input`: what the program reads on its standard input (then end of file), never a
    /// terminal; without it, the test runner's own standard input.
    init(
        _ name: String, _ arguments: [String], environment: [String: String] = [:], directory: String? = nil, input: String? = nil
    )
        throws
    {
        process.executableURL = name.hasPrefix("/") ? URL(fileURLWithPath: name) : binaries.appendingPathComponent(name)
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        process.arguments = arguments
        var merged = ProcessInfo.processInfo.environment
        merged.removeValue(forKey: "NOTIFY_SOCKET")
        merged.removeValue(forKey: "WATCHDOG_USEC")
        merged.removeValue(forKey: "KIOSK_ADMIN_SOCKET")
        merged.merge(environment) { $1 }
        process.environment = merged
        process.standardOutput = output
        process.standardError = errors
        let feed = input.map { _ in Pipe() }
        if let feed { process.standardInput = feed }
        try process.run()
        if let feed, let input {
            feed.fileHandleForWriting.write(Data(input.utf8))
            try feed.fileHandleForWriting.close()
        }
    }

    /// Waits for the program to exit (at most `timeout`), returning its status and output.
    ///
    /// Past `timeout` the program is killed with its whole process group, and the failure
    /// carries the end of its log. Children it left behind (a browser under a driver) are
    /// killed too, and the output is read for at most a few seconds after the exit: a
    /// grandchild holding the pipe open must never hang the suite.
    func finish(timeout: Duration = .seconds(30)) async -> (status: Int32, stdout: String, stderr: String) {
        // Read while waiting, so a chatty program never blocks on a full pipe.
        let readers = (PipeReader(output.fileHandleForReading), PipeReader(errors.fileHandleForReading))
        async let stdout = offPool { readers.0.readAll() }
        async let stderr = offPool { readers.1.readAll() }
        // Watched off the pool: the moment of exit is seen when it happens, not when a
        // starved test task next looks.
        let process = self.process
        let deadline = ContinuousClock.now + timeout
        exitSeen = await offPool {
            while process.isRunning && ContinuousClock.now < deadline { usleep(5000) }
            return process.isRunning ? nil : ContinuousClock.now
        }
        let name = process.executableURL?.lastPathComponent ?? "program"
        var hung = false
        if process.isRunning { hung = true }
        // Its process group (Foundation gives each child its own): leftovers go with it.
        kill(-process.processIdentifier, SIGKILL)
        await offPool { process.waitUntilExit() }
        readers.0.stop(after: .seconds(5))
        readers.1.stop(after: .seconds(5))
        let result = (
            process.terminationStatus, String(decoding: await stdout, as: UTF8.self), String(decoding: await stderr, as: UTF8.self)
        )
        if hung {
            Issue.record("\(name) did not exit within \(timeout); the end of its log:\n\(result.2.suffix(6000))")
        }
        return result
    }

    func signal(_ number: Int32) { kill(process.processIdentifier, number) }

    /// A test that throws before `finish()` drops its programs: they stop with it, never left
    /// running (holding ports and files) after the test.
    deinit {
        if process.isRunning { kill(-process.processIdentifier, SIGKILL) }
    }

    /// Runs a program to completion.
    static func run(
        _ name: String, _ arguments: [String], environment: [String: String] = [:], input: String? = nil
    ) async throws
        -> (status: Int32, stdout: String, stderr: String)
    {
        try await Program(name, arguments, environment: environment, input: input).finish()
    }
}

/// The repository's root (for the shipped catalog and calendar).
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .path

/// Writes a configuration for a daemon living entirely in `scratch`.
func daemonConfiguration(in scratch: Scratch, devices: String = "") throws -> String {
    try scratch.write(
        "kiosk.yaml",
        """
        kiosk:
          id: TEST-0001
        paths:
          state_dir: \(scratch.file("state"))
          admin_socket: \(scratch.file("admin.sock"))
          admin_group: ""
          profiles_dir: \(scratch.file("profiles"))
          catalog_dir: \(repositoryRoot)/Provisioning/catalog
          calendar_dir: \(repositoryRoot)/Provisioning/calendar
        api:
          port: 0
        lifecycle:
          shutdown_timeout_seconds: 5
        devices:
          - id: idcard
            kind: idcard
            simulate: true
          - id: printer
            kind: printer
            simulate: true
          - id: touch
            kind: touch
            simulate: true
        \(devices)
        """)
}

/// Reads a pipe to its end, or until told to stop: `readDataToEndOfFile` would wait forever
/// for a grandchild that inherited the pipe and never exits.
final class PipeReader: @unchecked Sendable {
    // Unchecked: `deadline` is guarded by `lock`; the descriptor is read by one thread.
    private let handle: FileHandle
    private let lock = NSLock()
    private var deadline: ContinuousClock.Instant?

    init(_ handle: FileHandle) { self.handle = handle }

    /// Ends the reading `grace` from now, end of file or not.
    func stop(after grace: Duration) {
        lock.withLock { deadline = ContinuousClock.now + grace }
    }

    /// Everything read until end of file or the stop.
    func readAll() -> Data {
        let descriptor = handle.fileDescriptor
        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            if poll(&poller, 1, 100) > 0 {
                let count = read(descriptor, &buffer, buffer.count)
                if count > 0 {
                    data.append(contentsOf: buffer[0..<count])
                    continue
                }
                if count == 0 || (errno != EINTR && errno != EAGAIN) { return data }
            }
            if let deadline = lock.withLock({ deadline }), ContinuousClock.now >= deadline { return data }
        }
    }
}
