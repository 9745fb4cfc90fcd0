import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Start to `READY=1`, idle memory and idle CPU of the real `kioskd` binary with simulated
/// devices, measured as systemd would see them: through a notify socket.
struct DaemonBenchmarks {
    let binaries: String
    let idleSeconds: Int
    let starts = 15

    func run() async throws -> [BenchmarkResult] {
        let folder = "/tmp/kb-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let config = "\(folder)/kiosk.yaml"
        try """
        kiosk: {id: BENCH-0001}
        paths: {state_dir: \(folder)/state, admin_socket: \(folder)/admin.sock, admin_group: "", profiles_dir: \(FileManager.default.currentDirectoryPath)/Devices}
        api: {port: 0}
        logging: {level: warning}
        devices:
          - {id: idcard, kind: idcard, simulate: true}
          - {id: printer, kind: printer, simulate: true}
          - {id: receipt, kind: receipt-printer, simulate: true}
          - {id: touch, kind: touch, simulate: true}
        """.write(toFile: config, atomically: true, encoding: .utf8)

        var readyTimes: [Double] = []
        var baselineTimes: [Double] = []
        for round in 0..<starts {
            let listener = try DatagramListener(path: "\(folder)/notify-\(round).sock")
            let started = ContinuousClock.now
            let daemon = try spawn("\(binaries)/kioskd", ["--config", config], notify: listener.path)
            guard listener.waitFor("READY=1", timeout: .seconds(30)) else {
                kill(daemon, SIGKILL)
                throw BenchmarkFailure("kioskd did not become ready")
            }
            readyTimes.append((ContinuousClock.now - started).seconds * 1000)
            if round == starts - 1 {
                return try await idle(pid: daemon, readyTimes: readyTimes, baselineTimes: baselineTimes + [try baseline(folder)])
            }
            kill(daemon, SIGTERM)
            var status: Int32 = 0
            waitpid(daemon, &status, 0)
            baselineTimes.append(try baseline(folder))
        }
        return []
    }

    /// The same database opened and checked by `sqlite3`: the floor under kioskd's own start.
    private func baseline(_ folder: String) throws -> Double {
        let started = ContinuousClock.now
        let pid = try spawn("/usr/bin/sqlite3", ["\(folder)/state/kiosk.db", "PRAGMA quick_check"], notify: nil)
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        return (ContinuousClock.now - started).seconds * 1000
    }

    private func idle(pid: pid_t, readyTimes: [Double], baselineTimes: [Double]) async throws -> [BenchmarkResult] {
        defer {
            kill(pid, SIGTERM)
            var status: Int32 = 0
            waitpid(pid, &status, 0)
        }
        try await Task.sleep(for: .seconds(2))
        let rss = residentMegabytes(pid)
        let privateMemory = privateMegabytes(pid)
        let cpuBefore = cpuSeconds(pid)
        let wallBefore = ContinuousClock.now
        try await Task.sleep(for: .seconds(idleSeconds))
        let cpu = (cpuSeconds(pid) - cpuBefore) / (ContinuousClock.now - wallBefore).seconds * 100
        let ready = readyTimes.median
        return [
            BenchmarkResult(
                name: "start to READY=1 (median of \(readyTimes.count))", value: ready, unit: "ms", baseline: baselineTimes.median,
                baselineName: "sqlite3 quick_check", target: "< 300 ms", met: ready < 300),
            BenchmarkResult(name: "idle resident memory (RSS)", value: rss, unit: "MB", target: "< 40 MB", met: rss < 40),
            // RSS counts the shared libraries' code pages (Foundation and ICU alone are ~16 MB);
            // what kioskd costs the machine on its own is its private memory.
            BenchmarkResult(name: "idle private memory (USS)", value: privateMemory, unit: "MB", target: "(reported)", met: true),
            BenchmarkResult(name: "idle CPU over \(idleSeconds) s", value: cpu, unit: "% core", target: "< 1%", met: cpu < 1),
        ]
    }

    private func residentMegabytes(_ pid: pid_t) -> Double {
        let status = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? ""
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") } ?? ""
        let kilobytes = Double(line.split(separator: " ").dropFirst().first ?? "") ?? .nan
        return kilobytes / 1024
    }

    private func privateMegabytes(_ pid: pid_t) -> Double {
        let rollup = (try? String(contentsOfFile: "/proc/\(pid)/smaps_rollup", encoding: .utf8)) ?? ""
        let kilobytes = rollup.split(separator: "\n").filter { $0.hasPrefix("Private_") }
            .compactMap { Double($0.split(separator: " ").dropFirst().first ?? "") }.reduce(0, +)
        return kilobytes / 1024
    }

    private func cpuSeconds(_ pid: pid_t) -> Double {
        let stat = (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)) ?? ""
        // Fields after the command name (which may contain spaces) start after the last ')'.
        guard let close = stat.lastIndex(of: ")") else { return .nan }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        let ticks = (Double(fields[11]) ?? 0) + (Double(fields[12]) ?? 0)
        return ticks / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    private func spawn(_ path: String, _ arguments: [String], notify: String?) throws -> pid_t {
        var environment = ProcessInfo.processInfo.environment
        environment["NOTIFY_SOCKET"] = notify
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        process.environment = environment
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process.processIdentifier
    }
}

/// A notify socket for the benchmark.
final class DatagramListener {
    let path: String
    private let descriptor: Int32

    init(path: String) throws {
        self.path = path
        descriptor = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: Array(path.utf8)) }
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard result == 0 else { throw BenchmarkFailure("cannot bind \(path)") }
    }

    func waitFor(_ text: String, timeout: Duration) -> Bool {
        let deadline = ContinuousClock.now + timeout
        var buffer = [UInt8](repeating: 0, count: 4096)
        while ContinuousClock.now < deadline {
            var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            guard poll(&poller, 1, 100) == 1 else { continue }
            let count = recv(descriptor, &buffer, buffer.count, 0)
            if count > 0, String(decoding: buffer[0..<count], as: UTF8.self).contains(text) { return true }
        }
        return false
    }

    deinit {
        close(descriptor)
        unlink(path)
    }
}
