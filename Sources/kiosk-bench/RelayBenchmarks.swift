import Crypto
import Foundation
import Hummingbird
import KioskAPI
import KioskCatalog
import KioskCore
import KioskPlatform
import KioskSession
import KioskStore
import KioskSync
import KioskSyncAPI
import Logging
import OpenAPIAsyncHTTPClient
import OpenAPIRuntime
import ServiceLifecycle

#if canImport(Glibc)
    import Glibc
#endif

/// The kiosk's backlog: the real `kioskd` drains cases, each with two 200 KB attachments, to a
/// kiosk-platform on SQLite in this process; `curl` uploads the same attachment bytes to the
/// same server in the same run as the baseline. Also kioskd's memory during the drain, and the
/// time from commit to "stored" for single cases on an idle link.
struct RelayBenchmarks {
    let binaries: String
    var cases = Int(ProcessInfo.processInfo.environment["KIOSK_BENCH_BACKLOG_CASES"] ?? "") ?? 10_000
    let attachmentBytes = 200_000
    let zone = TimeZone(identifier: "Asia/Shanghai")!

    func run() async throws -> [BenchmarkResult] {
        let checkout = FileManager.default.currentDirectoryPath
        let loaded = CatalogLoader.load(directory: checkout + "/Provisioning/catalog")
        guard loaded.problems.isEmpty, let bundle = loaded.catalog.bundle("newborn") else {
            throw BenchmarkFailure("the catalog in Provisioning/catalog has problems")
        }
        let folder = "/tmp/rb-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: folder + "/state", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var logger = Logger(label: "kiosk-bench")
        logger.logLevel = .critical
        let storage = try SQLitePlatformStore(path: folder + "/platform.db")
        let service = SyncService(storage: storage, catalog: loaded.catalog, calendar: nil, timeZone: zone, logger: logger)
        let router = try PlatformServer.router(service: service, authenticator: BearerAuthenticator(storage: storage))
        let (ports, portStream) = AsyncStream<Int>.makeStream()
        let app = try PlatformServer.application(router: router, host: "127.0.0.1", port: 0, logger: logger) { channel in
            portStream.yield(channel.localAddress?.port ?? 0)
        }
        let server = Task { try await app.run() }
        defer { server.cancel() }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else { throw BenchmarkFailure("the platform did not start") }
        let address = "http://127.0.0.1:\(port)"

        let blobs = (0..<2).map { _ in Data((0..<attachmentBytes).map { _ in UInt8.random(in: 0...255) }) }
        progress("relay: committing \(cases) cases with 2 × 200 KB each")
        let store = try CaseStore(path: folder + "/state/kiosk.db", logger: logger)
        for sequence in 1...cases {
            try await store.insert(try Self.newCase(bundle: bundle, sequence: sequence, attachments: blobs, zone: zone))
        }
        let credential = try await credential(storage, name: "BENCH-DRAIN")
        try credential.write(toFile: folder + "/kiosk.credential", atomically: true, encoding: .utf8)
        chmod(folder + "/kiosk.credential", 0o600)
        try """
        kiosk: {id: BENCH-0001}
        paths: {state_dir: \(folder)/state, admin_socket: \(folder)/admin.sock, admin_group: "", profiles_dir: \(checkout)/Devices, catalog_dir: \(checkout)/Provisioning/catalog, calendar_dir: \(checkout)/Provisioning/calendar}
        api: {port: 0}
        logging: {level: warning}
        sync: {platform: "\(address)/", credential_file: \(folder)/kiosk.credential, interval_seconds: 1, batch_size: 50}
        """.write(toFile: folder + "/kiosk.yaml", atomically: true, encoding: .utf8)

        progress("relay: kioskd drains the backlog")
        let started = ContinuousClock.now
        let pid = try spawn("\(binaries)/kioskd", ["--config", folder + "/kiosk.yaml"])
        var peak = 0.0
        while true {
            peak = max(peak, residentMegabytes(pid))
            let figures = try await store.syncFigures()
            if figures.queueDepth == 0, figures.unsentAttachments == 0 { break }
            if ContinuousClock.now - started > .seconds(3600) { throw BenchmarkFailure("the backlog did not drain within an hour") }
            var exit: Int32 = 0
            if waitpid(pid, &exit, WNOHANG) == pid { throw BenchmarkFailure("kioskd stopped while draining (status \(exit))") }
            try await Task.sleep(for: .milliseconds(100))
        }
        let drained = (ContinuousClock.now - started).seconds
        kill(pid, SIGTERM)
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        let megabytes = Double(cases * 2 * attachmentBytes) / 1_000_000

        progress("relay: curl uploads the same bytes")
        let curl = try await curlRate(storage: storage, address: address, bundle: bundle, blobs: blobs, folder: folder)
        progress("relay: single cases on an idle link")
        let latencies = try await sendLatencies(address: address, storage: storage, bundle: bundle, folder: folder)
        let ours = megabytes / drained
        return [
            BenchmarkResult(
                name: "relay backlog: \(cases) cases × 2 × 200 KB to kiosk-platform (SQLite)", value: ours, unit: "MB/s", baseline: curl,
                baselineName: "curl PATCH, same bytes", target: "≥ 0.5× curl", met: ours >= 0.5 * curl),
            BenchmarkResult(
                name: "relay backlog: kioskd peak RSS while draining", value: peak, unit: "MB", target: "< 100 MB", met: peak < 100),
            BenchmarkResult(
                name: "relay: commit to stored, single case, median", value: latencies.median, unit: "ms", target: "(reported)", met: true),
            BenchmarkResult(
                name: "relay: commit to stored, single case, p99", value: latencies.percentile(0.99), unit: "ms", target: "(reported)",
                met: true),
        ]
    }

    /// curl PATCHes attachment bytes into uploads of declared cases, one process, one connection.
    private func curlRate(
        storage: SQLitePlatformStore, address: String, bundle: ServiceBundle, blobs: [Data], folder: String
    ) async throws -> Double {
        let credential = try await credential(storage, name: "BENCH-CURL")
        let client = Client(
            serverURL: URL(string: address + "/sync/v1")!, configuration: .sync, transport: AsyncHTTPClientTransport(),
            middlewares: [BenchBearer(credential: credential)])
        let count = min(cases, 200)
        var uploads: [Components.Schemas.CaseUpload] = []
        for sequence in 1...count {
            let newCase = try Self.newCase(bundle: bundle, sequence: 50_000 + sequence, attachments: blobs, zone: zone)
            uploads.append(try JSONDecoder.iso.decode(Components.Schemas.CaseUpload.self, from: newCase.outboxPayload))
        }
        for start in stride(from: 0, to: uploads.count, by: 50) {
            _ = try await client.submitCases(body: .json(.init(cases: Array(uploads[start..<min(start + 50, uploads.count)])))).ok
        }
        for (index, blob) in blobs.enumerated() { try blob.write(to: URL(fileURLWithPath: "\(folder)/blob-\(index)")) }
        var entries: [String] = []
        for upload in uploads {
            for attachment in upload.attachments ?? [] {
                _ = try await client.createAttachment(
                    body: .json(
                        .init(
                            caseID: upload.caseID, attachmentID: attachment.attachmentID, length: attachment.length,
                            sha256: attachment.sha256))
                ).created
                let blob = attachment.attachmentID == "scan-0" ? 0 : 1
                entries.append(
                    """
                    url = "\(address)/sync/v1/attachments/\(upload.caseID)/\(attachment.attachmentID)"
                    request = "PATCH"
                    header = "Authorization: Bearer \(credential)"
                    header = "Upload-Offset: 0"
                    header = "Content-Type: application/offset+octet-stream"
                    data-binary = "@\(folder)/blob-\(blob)"
                    output = "/dev/null"

                    """)
            }
        }
        // `next` separates the transfers; one after the last would be a transfer without a URL.
        try entries.joined(separator: "next\n").write(toFile: folder + "/curl.config", atomically: true, encoding: .utf8)
        let started = ContinuousClock.now
        let pid = try spawn("/usr/bin/curl", ["-s", "-f", "-K", folder + "/curl.config"])
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        let seconds = (ContinuousClock.now - started).seconds
        guard status == 0 else { throw BenchmarkFailure("curl failed (status \(status))") }
        return Double(count * blobs.count * attachmentBytes) / 1_000_000 / seconds
    }

    /// One case committed, then a relay pass until it is stored, on an idle link, 40 times.
    private func sendLatencies(
        address: String, storage: SQLitePlatformStore, bundle: ServiceBundle, folder: String
    ) async throws -> [Double] {
        var logger = Logger(label: "kiosk-bench")
        logger.logLevel = .critical
        let store = try CaseStore(path: folder + "/latency.db", logger: logger)
        let relay = try SyncRelay(
            settings: SyncSettings(platform: URL(string: address)!, credential: try await credential(storage, name: "BENCH-LATENCY")),
            store: store, timeZone: zone, logger: logger,
            facts: { HeartbeatFacts(devices: [], software: "bench", catalog: nil, calendar: nil, uptimeSeconds: 0) })
        var latencies: [Double] = []
        for sequence in 1...40 {
            let newCase = try Self.newCase(bundle: bundle, sequence: 60_000 + sequence, attachments: [], zone: zone)
            let started = ContinuousClock.now
            try await store.insert(newCase)
            let report = await relay.syncPass()
            guard report.casesStored == 1 else { throw BenchmarkFailure("a single case was not stored: \(report.error ?? "?")") }
            latencies.append((ContinuousClock.now - started).seconds * 1000)
        }
        return latencies
    }

    private func credential(_ storage: SQLitePlatformStore, name: String) async throws -> String {
        let credential = BearerAuthenticator.newCredential()
        _ = try await storage.addKiosk(
            id: UUID().uuidString.lowercased(), name: name, credentialSHA256: BearerAuthenticator.digest(credential), at: Date())
        return credential
    }

    /// A 新生儿出生 case as a submit commits it, with `attachments` as its scanned materials.
    static func newCase(bundle: ServiceBundle, sequence: Int, attachments: [Data], zone: TimeZone) throws -> NewCase {
        let now = Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down))
        let caseID = CaseID(at: now)
        let day = CivilDate(now, in: zone)
        guard let receipt = ReceiptNumber(division: 410_721, day: day, kiosk: 1, sequence: sequence) else {
            throw BenchmarkFailure("receipt number out of range")
        }
        let sealed = Data((0..<2048).map { _ in UInt8.random(in: 0...255) })
        let files = attachments.enumerated().map { NewAttachment(id: "scan-\($0.offset)", kind: "material", bytes: $0.element) }
        let message = try CaseMessageFormat().message(
            for: SubmittedApplication(
                caseID: caseID.description, receiptNumber: receipt.description, bundle: bundle.id, bundleVersion: bundle.version,
                kioskID: "BENCH-0001", receivedAt: now, materials: ["birth_medical_certificate": .provided], sealedApplication: sealed,
                attachments: files.map {
                    SubmittedAttachment(id: $0.id, kind: $0.kind, length: $0.bytes.count, sha256: ContentHash.sha256Hex($0.bytes))
                }))
        var newCase = NewCase(
            id: caseID.description, receiptNumber: receipt.description, bundleID: bundle.id, createdAt: now, outboxPayload: message,
            detail: try KioskJSON.encoder().encode(BundleCase(id: caseID, receipt: receipt, bundle: bundle, day: day, at: now)))
        newCase.attachments = files
        return newCase
    }

    private func progress(_ text: String) { FileHandle.standardError.write(Data((text + "\n").utf8)) }

    private func residentMegabytes(_ pid: pid_t) -> Double {
        let status = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? ""
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") } ?? ""
        return (Double(line.split(separator: " ").dropFirst().first ?? "") ?? 0) / 1024
    }

    private func spawn(_ path: String, _ arguments: [String]) throws -> pid_t {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process.processIdentifier
    }
}

extension JSONDecoder {
    /// ISO 8601 times, as the outbox writes them.
    static var iso: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }
}
