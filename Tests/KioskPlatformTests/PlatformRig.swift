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
import Synchronization
import Testing

/// A real kiosk-platform on 127.0.0.1 (any free port) over a SQLite file in a temporary folder,
/// with the repository's catalog, and clients made from the contract. Stops when the rig goes.
final class PlatformRig: Sendable {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let catalog: Catalog = {
        let loaded = CatalogLoader.load(directory: repository.appendingPathComponent("Provisioning/catalog").path)
        precondition(loaded.problems.isEmpty, "the repository's catalog has problems")
        return loaded.catalog
    }()
    static let zone = TimeZone(identifier: "Asia/Shanghai")!
    static let calendar = try? CalendarLoader.load(directory: repository.appendingPathComponent("Provisioning/calendar").path)

    let folder: String
    let kind: StorageKind
    let storage: any PlatformStorage
    let departments: Departments
    let address: String
    /// The PostgreSQL database of this rig (each rig has its own), for a second instance.
    let databaseURL: String?
    /// With `tls`: the platform's CA and enrolment (kiosks by certificate only).
    let enrolment: PlatformEnrolment?
    private let tasks: [Task<Void, any Error>]

    private init(
        folder: String, kind: StorageKind, storage: any PlatformStorage, address: String, databaseURL: String?, clock: ShiftedClock,
        enrolment: PlatformEnrolment?, tasks: [Task<Void, any Error>]
    ) {
        self.enrolment = enrolment
        self.clock = clock
        self.folder = folder
        self.kind = kind
        self.storage = storage
        self.address = address
        self.databaseURL = databaseURL
        self.tasks = tasks
        departments = Departments(storage: storage, catalog: Self.catalog, calendar: Self.calendar, timeZone: Self.zone)
    }

    static var logger: Logger {
        var logger = Logger(label: "platform-test")
        logger.logLevel = .warning
        return logger
    }

    /// The platform's clock: real time plus a shift the test sets (to let uploads expire).
    let clock: ShiftedClock

    /// A platform over fresh storage of `kind`, taking `maxInFlight` requests at once; with
    /// `tls`, over HTTPS with its own CA, enrolment, and kiosks known by certificate only.
    static func start(_ kind: StorageKind = .sqlite, maxInFlight: Int = 512, tls: Bool = false) async throws -> PlatformRig {
        let folder = NSTemporaryDirectory() + "platform-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let clock = ShiftedClock()
        let storage: any PlatformStorage
        var tasks: [Task<Void, any Error>] = []
        var url: String?
        switch kind {
        case .sqlite:
            storage = try SQLitePlatformStore(path: folder + "/platform.db")
        case .postgres:
            url = try await freshDatabase()
            let (store, pool) = try await postgres(try #require(url))
            storage = store
            tasks.append(pool)
        }
        var enrolment: PlatformEnrolment?
        if tls {
            let authority = try PlatformAuthority(folder: folder + "/keys", serverNames: ["127.0.0.1", "localhost"])
            enrolment = PlatformEnrolment(authority: authority, storage: storage, logger: logger, now: { clock.now() })
        }
        let (address, server) = try await serve(storage, clock: clock, maxInFlight: maxInFlight, enrolment: enrolment)
        tasks.append(server)
        return PlatformRig(
            folder: folder, kind: kind, storage: storage, address: address, databaseURL: url, clock: clock, enrolment: enrolment,
            tasks: tasks)
    }

    /// Another instance of the platform over the same PostgreSQL database, as a second machine would run it.
    func secondInstance() async throws -> (address: String, stop: @Sendable () -> Void) {
        let (storage, pool) = try await Self.postgres(try #require(databaseURL))
        let (address, server) = try await Self.serve(storage, clock: clock, maxInFlight: 512)
        return (
            address,
            {
                pool.cancel(); server.cancel()
            }
        )
    }

    private static func postgres(_ url: String) async throws -> (PostgresPlatformStore, Task<Void, any Error>) {
        let storage = try PostgresPlatformStore(url: url, logger: logger)
        let pool = Task<Void, any Error> { await storage.run() }
        try await storage.migrate()
        return (storage, pool)
    }

    /// A database of its own on the test server (scripts/postgres-test-env.sh), so tests never meet.
    static func freshDatabase() async throws -> String {
        let admin = try #require(ProcessInfo.processInfo.environment["KIOSK_TEST_POSTGRES_URL"])
        var components = try #require(URLComponents(string: admin))
        let name = "platform_\(UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased())"
        let client = PostgresClient(
            configuration: .init(
                host: components.host ?? "127.0.0.1", port: components.port ?? 5432, username: components.user ?? "kiosk", password: nil,
                database: "postgres", tls: .disable))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            try await client.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)"))
            group.cancelAll()
        }
        components.path = "/" + name
        return try #require(components.string)
    }

    private static func serve(
        _ storage: any PlatformStorage, clock: ShiftedClock, maxInFlight: Int, enrolment: PlatformEnrolment? = nil
    ) async throws -> (String, Task<Void, any Error>) {
        let calendar = try? CalendarLoader.load(directory: repository.appendingPathComponent("Provisioning/calendar").path)
        let service = SyncService(
            storage: storage, catalog: catalog, calendar: calendar, timeZone: zone, logger: logger, maxChunk: 1 << 20,
            now: { clock.now() })
        let authenticator: any KioskAuthenticator =
            enrolment == nil ? BearerAuthenticator(storage: storage) : CertificateAuthenticator(storage: storage)
        let router = try PlatformServer.router(
            service: service, authenticator: authenticator, enrolment: enrolment, maxInFlight: maxInFlight)
        let (ports, port) = AsyncStream<Int>.makeStream()
        let app = try PlatformServer.application(
            router: router, host: "127.0.0.1", port: 0, tls: try enrolment?.authority.serverTLS(), logger: logger
        ) { channel in
            port.yield(channel.localAddress?.port ?? 0)
        }
        let server = Task { try await app.run() }
        var iterator = ports.makeAsyncIterator()
        guard let bound = await iterator.next() else { throw CancellationError() }
        return ("\(enrolment == nil ? "http" : "https")://127.0.0.1:\(bound)", server)
    }

    deinit {
        for task in tasks { task.cancel() }
        try? FileManager.default.removeItem(atPath: folder)
    }

    /// Registers a kiosk and returns a client that authenticates as it.
    func kiosk(_ name: String) async throws -> (record: KioskRecord, client: Client) {
        let credential = BearerAuthenticator.newCredential()
        let record = try await storage.addKiosk(
            id: UUID().uuidString.lowercased(), name: name, credentialSHA256: BearerAuthenticator.digest(credential), at: Date())
        return (record, client(credential: credential))
    }

    func client(credential: String?, address: String? = nil) -> Client {
        Client(
            serverURL: URL(string: (address ?? self.address) + "/sync/v1")!, configuration: .sync, transport: AsyncHTTPClientTransport(),
            middlewares: [Bearer(credential: credential)])
    }

    /// Registers a kiosk and returns its credential.
    func credential(_ name: String) async throws -> String {
        let credential = BearerAuthenticator.newCredential()
        _ = try await storage.addKiosk(
            id: UUID().uuidString.lowercased(), name: name, credentialSHA256: BearerAuthenticator.digest(credential), at: Date())
        return credential
    }

    /// A case as a kiosk would send it (nothing personal; the sealed part is random bytes).
    static func upload(
        caseID: String = CaseID(at: Date()).description, bundle: String = "newborn",
        sealed: [UInt8] = (0..<2048).map { _ in .random(in: 0...255) },
        rating: Int? = nil, attachments: [Components.Schemas.AttachmentDeclaration]? = nil
    ) -> Components.Schemas.CaseUpload {
        let receipt = ReceiptNumber(division: 410_721, day: CivilDate(Date(), in: zone), kiosk: 1, sequence: .random(in: 1...99_999))!
        let content = Data(sealed) + Data(caseID.utf8)
        return .init(
            caseID: caseID, contentSHA256: SHA256Hex.of(content), receiptNumber: receipt.description, bundle: bundle, bundleVersion: "1",
            receivedAt: Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down)),
            materials: .init(additionalProperties: ["birth_medical_certificate": .provided]),
            prefill: .init(idCard: 6, sharedData: 4, earlierApplication: 0, citizen: 3), steps: 23, simulatedIdentity: false,
            rating: rating, attachments: attachments,
            sealedApplication: .init(sealed))
    }
}

/// Sends the kiosk's credential on every request.
struct Bearer: ClientMiddleware {
    let credential: String?
    func intercept(
        _ request: HTTPRequest, body: HTTPBody?, baseURL: URL, operationID: String,
        next: (HTTPRequest, HTTPBody?, URL) async throws -> (HTTPResponse, HTTPBody?)
    ) async throws -> (HTTPResponse, HTTPBody?) {
        var request = request
        if let credential { request.headerFields[.authorization] = "Bearer \(credential)" }
        return try await next(request, body, baseURL)
    }
}

enum SHA256Hex {
    static func of(_ data: Data) -> String { SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined() }
}

/// The storage a platform runs on: SQLite always, PostgreSQL where the test server runs
/// (make test starts one through scripts/postgres-test-env.sh).
enum StorageKind: String, Sendable, CaseIterable, CustomStringConvertible {
    case sqlite, postgres

    var description: String { rawValue }

    static var available: [StorageKind] {
        ProcessInfo.processInfo.environment["KIOSK_TEST_POSTGRES_URL"] == nil ? [.sqlite] : [.sqlite, .postgres]
    }
}

/// Real time plus a shift a test sets: what the platform calls now.
final class ShiftedClock: Sendable {
    private let shift = Mutex<TimeInterval>(0)
    func now() -> Date { Date().addingTimeInterval(shift.withLock { $0 }) }
    func advance(by seconds: TimeInterval) { shift.withLock { $0 += seconds } }
}
