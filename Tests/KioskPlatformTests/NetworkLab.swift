import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Two network namespaces joined by a veth pair: the kiosk's at 10.203.N.1, the platform's at
/// 10.203.N.2. Faults are made the way a field network makes them: packet loss from iptables'
/// `statistic` match, a partition by taking the link down. Everything it made goes with it
/// (`close()`, also when a test fails): the processes it started, then both namespaces.
final class NetworkLab: @unchecked Sendable {
    enum Side { case kiosk, platform }

    let kioskNamespace: String
    let platformNamespace: String
    let kioskAddress: String
    let platformAddress: String
    private let kioskLink: String
    private let platformLink: String
    private var started: [Process] = []

    /// Why the lab cannot be built on this machine (namespaces refused, tools missing), or nil.
    static let refusal: String? = {
        for tool in ["/usr/sbin/ip", "/usr/sbin/iptables"] where !FileManager.default.isExecutableFile(atPath: tool) {
            return "\(tool) is missing (make test installs iproute2 and iptables)"
        }
        let probe = "kiosk-probe-\(getpid())"
        let (status, output) = NetworkLab.command(["/usr/sbin/ip", "netns", "add", probe])
        guard status == 0 else { return "network namespaces are refused here: \(output)" }
        defer { _ = NetworkLab.command(["/usr/sbin/ip", "netns", "del", probe]) }
        let (filter, why) = NetworkLab.command([
            "/usr/sbin/ip", "netns", "exec", probe, "/usr/sbin/iptables", "-A", "INPUT", "-m", "statistic", "--mode", "random",
            "--probability", "0.5", "-j", "DROP",
        ])
        return filter == 0 ? nil : "iptables' statistic match is refused in a namespace: \(why)"
    }()

    /// Whether to run; prints the reason when not, so a skip is never silent.
    static var available: Bool {
        if let refusal { print("network-fault tests skipped: \(refusal)") }
        return refusal == nil
    }

    init() throws {
        // Names short enough for an interface (15 bytes), unique per run.
        let tag = String(UInt32.random(in: 0...UInt32.max), radix: 36)
        let subnet = Int.random(in: 0...255)
        kioskNamespace = "kk-\(tag)"
        platformNamespace = "kp-\(tag)"
        kioskLink = "vk\(tag)"
        platformLink = "vp\(tag)"
        kioskAddress = "10.203.\(subnet).1"
        platformAddress = "10.203.\(subnet).2"
        try run(["netns", "add", kioskNamespace])
        try run(["netns", "add", platformNamespace])
        try run([
            "link", "add", kioskLink, "netns", kioskNamespace, "type", "veth", "peer", "name", platformLink, "netns", platformNamespace,
        ])
        for (namespace, link, address) in [
            (kioskNamespace, kioskLink, kioskAddress), (platformNamespace, platformLink, platformAddress),
        ] {
            try run(["-n", namespace, "link", "set", "lo", "up"])
            try run(["-n", namespace, "addr", "add", address + "/30", "dev", link])
            try run(["-n", namespace, "link", "set", link, "up"])
        }
    }

    /// Starts `program` inside one side's namespace; its output goes to `log`.
    func start(_ side: Side, _ program: String, _ arguments: [String], log: String) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/sbin/ip")
        process.arguments = ["netns", "exec", namespace(side), program] + arguments
        var environment = ProcessInfo.processInfo.environment
        for key in ["NOTIFY_SOCKET", "WATCHDOG_USEC", "KIOSK_ADMIN_SOCKET"] { environment.removeValue(forKey: key) }
        process.environment = environment
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        process.standardOutput = handle
        process.standardError = handle
        // A pipe held by this process: a helper that reads stdin (the delay proxy) stops with us.
        process.standardInput = Pipe()
        try process.run()
        started.append(process)
        return process
    }

    /// Runs a command inside one side's namespace to its end.
    func exec(_ side: Side, _ arguments: [String]) -> (status: Int32, output: String) {
        Self.command(["/usr/sbin/ip", "netns", "exec", namespace(side)] + arguments)
    }

    /// Drops a share of the packets crossing the link, both ways (the platform's side filters).
    func loss(_ probability: Double) throws {
        for chain in [("INPUT", "-i"), ("OUTPUT", "-o")] {
            let (status, output) = exec(
                .platform,
                [
                    "/usr/sbin/iptables", "-A", chain.0, chain.1, platformLink, "-m", "statistic", "--mode", "random", "--probability",
                    String(probability), "-j", "DROP",
                ])
            guard status == 0 else { throw LabFailure("iptables: \(output)") }
        }
    }

    /// Stops dropping packets.
    func lossless() throws {
        for chain in ["INPUT", "OUTPUT"] {
            let (status, output) = exec(.platform, ["/usr/sbin/iptables", "-F", chain])
            guard status == 0 else { throw LabFailure("iptables: \(output)") }
        }
    }

    /// A long partition: the kiosk's end of the link goes down. `heal()` brings it back.
    func partition() throws { try run(["-n", kioskNamespace, "link", "set", kioskLink, "down"]) }
    func heal() throws { try run(["-n", kioskNamespace, "link", "set", kioskLink, "up"]) }

    func close() {
        for process in started where process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        started.removeAll()
        // Deleting a namespace takes its end of the veth pair, and so the whole pair.
        _ = Self.command(["/usr/sbin/ip", "netns", "del", kioskNamespace])
        _ = Self.command(["/usr/sbin/ip", "netns", "del", platformNamespace])
    }

    deinit { close() }

    private func namespace(_ side: Side) -> String { side == .kiosk ? kioskNamespace : platformNamespace }

    private func run(_ arguments: [String]) throws {
        let (status, output) = Self.command(["/usr/sbin/ip"] + arguments)
        guard status == 0 else { throw LabFailure("ip \(arguments.joined(separator: " ")): \(output)") }
    }

    static func command(_ arguments: [String]) -> (Int32, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: arguments[0])
        process.arguments = Array(arguments.dropFirst())
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        process.standardInput = FileHandle.nullDevice
        do { try process.run() } catch { return (-1, "\(error)") }
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: output, as: UTF8.self))
    }
}

struct LabFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
