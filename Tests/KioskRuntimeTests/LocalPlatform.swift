import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOSSL
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// A kiosk-platform process for kioskd to sync with over mutual TLS: its database and keys in
/// `scratch`, the kiosk enrolled into `kiosk` (its state folder) as a technician would
/// (`token create`, then `kioskctl enroll` into its `state/` while the platform is up), and a port chosen now and
/// listened on only once `start()` runs, so a test can go on with the platform down.
struct LocalPlatform {
    let scratch: Scratch
    let port: Int
    /// The department workbench (plain HTTP on loopback).
    let benchPort: Int
    var options: [String] {
        [
            "--database", scratch.file("platform.db"), "--catalog", repositoryRoot + "/Provisioning/catalog", "--calendar",
            repositoryRoot + "/Provisioning/calendar",
        ]
    }

    init(kiosk name: String, enrolling kiosk: Scratch) async throws {
        scratch = try Scratch()
        port = try Self.freePort()
        benchPort = try Self.freePort()
        let made = try await Program.run("kiosk-platform", ["token", "create", "--site", "测试大厅", "--name", name, "--json"] + options)
        #expect(made.status == 0, "\(made.stderr)")
        let token = try #require(
            (try JSONSerialization.jsonObject(with: Data(made.stdout.utf8)) as? [String: Any])?["token"] as? String)
        let platform = try await start()
        let enrolled = try await Program.run(
            "kioskctl", ["enroll", "--platform", "https://127.0.0.1:\(port)/", "--token", token, "--state-dir", kiosk.file("state")])
        platform.signal(SIGTERM)
        _ = await platform.finish()
        #expect(enrolled.status == 0, "kioskctl enroll: \(enrolled.stderr)")
    }

    /// kiosk.yaml's `sync:` section for a kioskd of this platform, with `offline` limits if given.
    func syncSection(batchSize: Int = 3, offline: String = "") -> String {
        """
        sync:
          platform: https://127.0.0.1:\(port)/
          interval_seconds: 1
          heartbeat_seconds: 5
          batch_size: \(batchSize)
        \(offline.isEmpty ? "" : "  offline: {\(offline)}")
        """
    }

    /// Starts `kiosk-platform serve` and waits until it answers (its TLS certificate is not
    /// checked here: the kiosk checks it against the CA it enrolled with).
    func start() async throws -> Program {
        let program = try Program(
            "kiosk-platform",
            [
                "serve", "--host", "127.0.0.1", "--port", String(port), "--workbench-port=\(benchPort)",
                "--shared-data", repositoryRoot + "/Provisioning/examples/shared-data.yaml",
                "--query-services", repositoryRoot + "/Provisioning/examples/query-services.yaml",
                "--templates", repositoryRoot + "/Provisioning/templates",
            ] + options)
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.certificateVerification = .none
        var configuration = HTTPClient.Configuration(tlsConfiguration: tls)
        configuration.connectionPool.retryConnectionEstablishment = false
        let probe = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        defer { Task { try? await probe.shutdown() } }
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            let request = HTTPClientRequest(url: "https://127.0.0.1:\(port)/openapi.yaml")
            if let answer = try? await probe.execute(request, timeout: .seconds(2)), answer.status == .ok { return program }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw SessionDaemon.WaitFailure(description: "kiosk-platform did not listen on \(port) within 30 s")
    }

    /// The cases the platform holds, as `kiosk-platform cases --json` lists them.
    func cases() async throws -> [[String: Any]] {
        let listed = try await Program.run("kiosk-platform", ["cases", "--json"] + options)
        return (try JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) as? [[String: Any]]) ?? []
    }

    static func freePort() throws -> Int {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) } }
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

extension SessionDaemon {
    /// One citizen's 新生儿出生 to the receipt; the receipt number shown. With `pledge`, the
    /// delivery invoice is deferred under a signed pledge, so a sealed signature follows the case. The
    /// citizen leaves as citizens do, whatever happened: session ended, card taken (a card left
    /// on the reader is not read again for the next one).
    func submitNewborn(pledge: Bool) async throws -> String? {
        var token: String?
        do {
            let number = try await newbornToReceipt(pledge: pledge) { token = $0 }
            await leave(token)
            return number
        } catch {
            await leave(token)
            throw error
        }
    }

    /// What a citizen types for a field of this type (the view's type name alone).
    static func typed(_ field: [String: Any]) -> String {
        switch field["type"] as? String {
        case "number": "3350"
        case "date": "2026-11-18"
        case "phone": "13800138000"
        case "id_number": "110105199205120027"
        case "enum": (field["options"] as? [String])?.first ?? ""
        case "multi_enum": (field["options"] as? [String])?.first ?? ""
        default: "北京市朝阳区"
        }
    }

    private func leave(_ token: String?) async {
        if let token { _ = try? await post("/api/v1/session/end", token: token) }
        _ = try? await post("/api/v1/demo/card/lift")
    }

    private func newbornToReceipt(pledge: Bool, started: (String) -> Void) async throws -> String? {
        let token = try await newbornAtForm()
        started(token)
        // The three the shared data never gives; and, when the platform could not be asked
        // (down, or the lookup timed out), whatever else the form now asks, as a citizen would.
        var values = ["newborn.name": "林小雨", "delivery.method": "窗口领取", "household.head_relation": "女"]
        let form = (try await get("/api/v1/session", token: token)).json["form"] as? [[String: Any]] ?? []
        for field in form where field["asked"] as? Bool == true && field["editable"] as? Bool == true && field["required"] as? Bool == true
        {
            guard let key = field["key"] as? String, values[key] == nil, (field["value"] as? String ?? "").isEmpty else { continue }
            values[key] = Self.typed(field)
        }
        let body = try JSONSerialization.data(withJSONObject: ["values": values])
        _ = try await post("/api/v1/session/form", token: token, json: String(decoding: body, as: UTF8.self))
        _ = try await post("/api/v1/session/form/confirm", token: token)
        for material in ["photo", "bank_card", "delivery_invoice"] {
            // The kiosk takes no paper: the pledge defers the invoice, everything else goes to the window.
            let choice = pledge && material == "delivery_invoice" ? "deferred" : "window"
            _ = try await post("/api/v1/session/material", token: token, json: #"{"material":"\#(material)","choice":"\#(choice)"}"#)
        }
        if pledge {
            _ = try await post("/api/v1/session/sign", token: token, json: #"{"png":"\#(Self.signaturePNG)"}"#)
        }
        _ = try await post("/api/v1/session/materials/confirm", token: token)
        let submitted = try await post("/api/v1/session/submit", token: token)
        guard let number = (submitted.json["receipt"] as? [String: Any])?["number"] as? String else {
            throw WaitFailure(description: "the submit gave no receipt: \(submitted.status) \(submitted.text.prefix(300))")
        }
        return number
    }

    /// A small valid PNG (a 1×1 black pixel), as a signature.
    static let signaturePNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAAAAAA6fptVAAAACklEQVR4nGNgAAAAAgABSK+kcQAAAABJRU5ErkJggg=="
}
