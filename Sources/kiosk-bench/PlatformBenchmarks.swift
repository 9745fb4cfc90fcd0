import AsyncHTTPClient
import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import KioskCatalog
import KioskCore
import KioskPlatform
import KioskSyncAPI
import Logging
import OpenAPIAsyncHTTPClient
import OpenAPIRuntime
import PostgresNIO
import ServiceLifecycle

/// Platform ingest: 100 simulated kiosks, each with its own credential and connection, send
/// batches of cases with a 2 KB sealed payload to a real kiosk-platform on loopback. On
/// PostgreSQL, pgbench runs the same durable inserts (a case row and its work items per
/// transaction, 100 clients) in the same run as the baseline.
struct PlatformBenchmarks {
    var kiosks = Int(ProcessInfo.processInfo.environment["PLATFORM_BENCH_KIOSKS"] ?? "") ?? 100
    var batchesPerKiosk = 5
    var casesPerBatch = 10

    func run() async throws -> [BenchmarkResult] {
        let checkout = FileManager.default.currentDirectoryPath
        let loaded = CatalogLoader.load(directory: checkout + "/Provisioning/catalog")
        guard loaded.problems.isEmpty else { throw BenchmarkFailure("the catalog in Provisioning/catalog has problems") }
        var results: [BenchmarkResult] = []
        let folder = NSTemporaryDirectory() + "platform-bench-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        progress("platform: SQLite ingest")
        let sqlite = try await ingest(storage: SQLitePlatformStore(path: folder + "/platform.db"), catalog: loaded.catalog)
        results.append(
            BenchmarkResult(
                name: "platform ingest, SQLite", value: sqlite.rate, unit: "cases/s", target: "(reported)", met: true))
        results.append(
            BenchmarkResult(name: "platform batch p99, SQLite", value: sqlite.p99, unit: "ms", target: "(reported)", met: true))
        guard let admin = ProcessInfo.processInfo.environment["KIOSK_TEST_POSTGRES_URL"] else {
            FileHandle.standardError.write(Data("platform: no PostgreSQL (run under scripts/postgres-test-env.sh)\n".utf8))
            return results
        }
        var logger = Logger(label: "kiosk-bench")
        logger.logLevel = .warning
        let store = try PostgresPlatformStore(url: try await freshDatabase(admin), logger: logger)
        // The pool runs beside the benchmark, as in the test rig, and stops with it.
        let pool = Task { await store.run() }
        defer { pool.cancel() }
        try await store.migrate()
        progress("platform: PostgreSQL ingest")
        let postgres = try await ingest(storage: store, catalog: loaded.catalog)
        // pgbench ran before this program, on the same server (scripts/pgbench-baseline.sh):
        // a subprocess started after the ingest's event loops is not needed for the figure.
        guard let pgbench = ProcessInfo.processInfo.environment["KIOSK_BENCH_PGBENCH_TPS"].flatMap(Double.init) else {
            throw BenchmarkFailure("no pgbench figure (run under scripts/pgbench-baseline.sh)")
        }
        results.append(
            BenchmarkResult(
                name: "platform ingest, PostgreSQL", value: postgres.rate, unit: "cases/s", baseline: pgbench,
                baselineName: "pgbench, same inserts", target: "≥ 1,000/s and ≥ 0.5× pgbench",
                met: postgres.rate >= 1000 && postgres.rate >= 0.5 * pgbench))
        results.append(
            BenchmarkResult(name: "platform batch p99, PostgreSQL", value: postgres.p99, unit: "ms", target: "(reported)", met: true))
        return results
    }

    private func progress(_ text: String) { FileHandle.standardError.write(Data((text + "\n").utf8)) }

    /// Sends every kiosk's batches at once; the rate counts stored cases over the wall time.
    private func ingest(storage: any PlatformStorage, catalog: Catalog) async throws -> (rate: Double, p99: Double) {
        var logger = Logger(label: "kiosk-bench")
        logger.logLevel = .warning
        let service = SyncService(
            storage: storage, catalog: catalog, calendar: nil, timeZone: TimeZone(identifier: "Asia/Shanghai")!, logger: logger)
        let router = try PlatformServer.router(service: service, authenticator: BearerAuthenticator(storage: storage))
        let (ports, port) = AsyncStream<Int>.makeStream()
        let app = try PlatformServer.application(router: router, host: "127.0.0.1", port: 0, logger: logger) { channel in
            port.yield(channel.localAddress?.port ?? 0)
        }
        let server = Task { try await app.run() }
        defer { server.cancel() }
        var iterator = ports.makeAsyncIterator()
        guard let bound = await iterator.next() else { throw BenchmarkFailure("the platform did not start") }
        var credentials: [String] = []
        for index in 0..<kiosks {
            let credential = BearerAuthenticator.newCredential()
            _ = try await storage.addKiosk(
                id: UUID().uuidString, name: "BENCH-\(index)", credentialSHA256: BearerAuthenticator.digest(credential), at: Date())
            credentials.append(credential)
        }
        // Each kiosk its own connection, as in the field.
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = kiosks
        let http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        let batches = credentials.map { credential in
            (0..<batchesPerKiosk).map { _ in (0..<casesPerBatch).map { _ in Self.upload() } }
        }
        let started = ContinuousClock.now
        let (latencies, stored) = try await withThrowingTaskGroup(of: ([Double], Int).self) { group in
            for (credential, kioskBatches) in zip(credentials, batches) {
                group.addTask {
                    let client = Client(
                        serverURL: URL(string: "http://127.0.0.1:\(bound)/sync/v1")!, configuration: .sync,
                        transport: AsyncHTTPClientTransport(configuration: .init(client: http)),
                        middlewares: [BenchBearer(credential: credential)])
                    var latencies: [Double] = []
                    var stored = 0
                    for batch in kioskBatches {
                        let sent = ContinuousClock.now
                        let answer = try await client.submitCases(body: .json(.init(cases: batch))).ok.body.json
                        latencies.append((ContinuousClock.now - sent).seconds * 1000)
                        stored += answer.outcomes.filter { $0.status == .stored }.count
                    }
                    return (latencies, stored)
                }
            }
            var all: ([Double], Int) = ([], 0)
            for try await (latencies, stored) in group { all = (all.0 + latencies, all.1 + stored) }
            return all
        }
        let seconds = (ContinuousClock.now - started).seconds
        try await http.shutdown()
        guard stored == kiosks * batchesPerKiosk * casesPerBatch else {
            throw BenchmarkFailure("only \(stored) of \(kiosks * batchesPerKiosk * casesPerBatch) cases were stored")
        }
        return (Double(stored) / seconds, latencies.percentile(0.99))
    }

    private static func upload() -> Components.Schemas.CaseUpload {
        let sealed = (0..<2048).map { _ in UInt8.random(in: 0...255) }
        let caseID = CaseID(at: Date()).description
        let day = CivilDate(Date(), in: TimeZone(identifier: "Asia/Shanghai")!)
        let receipt = ReceiptNumber(division: 410_721, day: day, kiosk: 1, sequence: .random(in: 1...99_999))!
        return .init(
            caseID: caseID, contentSHA256: SHA256.hash(data: Data(sealed)).map { String(format: "%02x", $0) }.joined(),
            receiptNumber: receipt.description, bundle: "newborn", bundleVersion: "1", receivedAt: Date(),
            materials: .init(additionalProperties: ["birth_medical_certificate": .provided]), sealedApplication: .init(sealed))
    }

    /// A database of its own on the benchmark's PostgreSQL server.
    private func freshDatabase(_ admin: String) async throws -> String {
        guard var components = URLComponents(string: admin) else { throw BenchmarkFailure("bad KIOSK_TEST_POSTGRES_URL") }
        let name = "bench_\(UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased())"
        let client = PostgresClient(
            configuration: .init(
                host: components.host ?? "127.0.0.1", port: components.port ?? 5432, username: components.user ?? "kiosk",
                password: components.password, database: "postgres", tls: .disable))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            try await client.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)"))
            group.cancelAll()
        }
        components.path = "/" + name
        return components.string ?? admin
    }
}

/// Sends a kiosk's credential on every request.
struct BenchBearer: ClientMiddleware {
    let credential: String
    func intercept(
        _ request: HTTPRequest, body: HTTPBody?, baseURL: URL, operationID: String,
        next: (HTTPRequest, HTTPBody?, URL) async throws -> (HTTPResponse, HTTPBody?)
    ) async throws -> (HTTPResponse, HTTPBody?) {
        var request = request
        request.headerFields[.authorization] = "Bearer \(credential)"
        return try await next(request, body, baseURL)
    }
}
