import Foundation
import KioskStore
import KioskTrust
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The real kioskd and the real kiosk-platform, each in its own network namespace, joined by a
/// veth pair: the relay meets packet loss, latency and a long partition on a real link.
@Suite("The relay over a faulty link: kioskd and kiosk-platform in network namespaces joined by veth", .timeLimit(.minutes(8)))
struct NetworkFaultTests {
    static let binaries: URL = {
        let runner = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        let folder = runner.lastPathComponent.hasSuffix(".xctest") ? runner.deletingLastPathComponent() : runner
        if FileManager.default.fileExists(atPath: folder.appendingPathComponent("kioskd").path) { return folder }
        return PlatformRig.repository.appendingPathComponent(".build/debug")
    }()

    @Test(
        "Loss, latency and a long partition: the kiosk says it cannot reach the platform, and after the heal every case is there once, with every attachment",
        .enabled(if: NetworkLab.available, "needs network namespaces and iptables (see the printed reason)"),
        .timeLimit(.minutes(5)))
    func lossLatencyPartition() async throws {
        let lab = try NetworkLab()
        defer { lab.close() }
        let folder = NSTemporaryDirectory() + "netfault-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: folder + "/state", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let repository = PlatformRig.repository.path
        let options = [
            "--database", folder + "/platform.db", "--catalog", repository + "/Provisioning/catalog", "--calendar",
            repository + "/Provisioning/calendar",
        ]

        // The platform, listening on its end of the link only, over TLS with its own CA; the
        // kiosk reaches it through the delaying proxy on its own loopback.
        let made = NetworkLab.command(
            [Self.binaries.path + "/kiosk-platform", "token", "create", "--site", "网络实验室", "--name", "NET-0001", "--json"] + options)
        #expect(made.0 == 0, "token create: \(made.1)")
        let token = try #require((try JSONSerialization.jsonObject(with: Data(made.1.utf8)) as? [String: Any])?["token"] as? String)
        _ = try lab.start(
            .platform, Self.binaries.path + "/kiosk-platform",
            [
                "serve", "--host", lab.platformAddress, "--port", "8080", "--workbench-port", "0", "--tls-name", "127.0.0.1", "--tls-name",
                lab.platformAddress,
            ] + options, log: folder + "/platform.log")
        // Latency: 60 ms each way, from the tests' own proxy on the kiosk's loopback (no netem here).
        _ = try lab.start(
            .kiosk, "/usr/bin/python3",
            [
                repository + "/Tests/Platform/delay_proxy.py", "--listen", "127.0.0.1:18080", "--upstream", lab.platformAddress + ":8080",
                "--delay-ms", "60",
            ], log: folder + "/proxy.log")
        try await until("the platform answers across the link", seconds: 60) {
            lab.exec(.kiosk, ["/usr/bin/curl", "-sfk", "-o", "/dev/null", "https://127.0.0.1:18080/openapi.yaml"]).status == 0
        }
        // The technician's enrolment, from the kiosk's side of the link.
        let enrolled = lab.exec(
            .kiosk,
            [
                Self.binaries.path + "/kioskctl", "enroll", "--platform", "https://127.0.0.1:18080/", "--token", token, "--state-dir",
                folder + "/state",
            ])
        #expect(enrolled.status == 0, "kioskctl enroll: \(enrolled.output)")

        // The kiosk's backlog, committed as submits commit it: cases with a 120 KB attachment each.
        let kiosk = try await KioskRig.start(
            platform: "https://127.0.0.1:18080", identity: IdentityFolder(stateDirectory: folder + "/state"), folder: folder + "/state")
        var committed: [String] = []
        for _ in 0..<12 { committed.append(try await kiosk.submitCase(attachmentBytes: 120_000).caseID) }
        try """
        kiosk: {id: NET-0001}
        paths: {state_dir: \(folder)/state, admin_socket: \(folder)/admin.sock, admin_group: "", profiles_dir: \(repository)/Devices, catalog_dir: \(repository)/Provisioning/catalog, calendar_dir: \(repository)/Provisioning/calendar}
        api: {port: 0}
        logging: {level: info}
        sync: {platform: "https://127.0.0.1:18080/", interval_seconds: 1, batch_size: 4, request_timeout_seconds: 5}
        """.write(toFile: folder + "/kiosk.yaml", atomically: true, encoding: .utf8)

        // A quarter of the packets lost from the start, both ways.
        try lab.loss(0.25)
        _ = try lab.start(.kiosk, Self.binaries.path + "/kioskd", ["--config", folder + "/kiosk.yaml"], log: folder + "/kioskd.log")
        let platformCases = { () -> [[String: Any]] in
            let listed = NetworkLab.command([Self.binaries.path + "/kiosk-platform", "cases", "--json"] + options)
            return (try? JSONSerialization.jsonObject(with: Data(listed.1.utf8)) as? [[String: Any]]) ?? []
        }
        try await until("some cases through the lossy link", seconds: 120) { platformCases().count >= 3 }

        // A long partition: the kiosk keeps taking cases, and tells its technician why none go.
        try lab.partition()
        for _ in 0..<4 { committed.append(try await kiosk.submitCase(attachmentBytes: 120_000).caseID) }
        var told: [String: Any] = [:]
        do {
            try await until("kioskctl sync status to report the platform unreachable", seconds: 60) {
                told = syncStatus(folder)
                return (told["lastError"] as? String)?.contains("cannot be reached") == true && (told["queueDepth"] as? Int ?? 0) >= 4
            }
        } catch {
            throw LabFailure("\(error); the kiosk said: \(told)")
        }
        let stuck = platformCases().count

        // The heal: link up, no loss. Everything drains, nothing twice.
        try lab.heal()
        try lab.lossless()
        try await until("the queue to drain after the heal", seconds: 180) {
            let status = syncStatus(folder)
            return status["queueDepth"] as? Int == 0 && status["unsentAttachments"] as? Int == 0 && status["lastError"] == nil
        }
        let cases = platformCases()
        let delivered = cases.compactMap { $0["caseID"] as? String }
        #expect(stuck < committed.count, "the partition held nothing back")
        #expect(delivered.count == Set(delivered).count, "a case arrived twice")
        #expect(Set(delivered) == Set(committed), "missing: \(Set(committed).subtracting(delivered))")
        #expect(cases.allSatisfy { ($0["missingAttachments"] as? [String])?.isEmpty ?? true }, "an attachment never verified")
    }

    private func syncStatus(_ folder: String) -> [String: Any] {
        let answer = NetworkLab.command([
            Self.binaries.path + "/kioskctl", "sync", "status", "--json", "--socket", folder + "/admin.sock",
        ])
        return (try? JSONSerialization.jsonObject(with: Data(answer.1.utf8)) as? [String: Any]) ?? [:]
    }

    private func until(_ what: String, seconds: Double, _ condition: () async -> Bool) async throws {
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        while ContinuousClock.now < deadline {
            if await condition() { return }
            try await Task.sleep(for: .milliseconds(200))
        }
        if await condition() { return }
        throw LabFailure("\(what): not within \(seconds) s")
    }
}
