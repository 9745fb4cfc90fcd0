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

    let folder: String
    let storage: SQLitePlatformStore
    let departments: Departments
    let address: String
    private let server: Task<Void, any Error>

    private init(folder: String, storage: SQLitePlatformStore, address: String, server: Task<Void, any Error>) {
        self.folder = folder
        self.storage = storage
        self.address = address
        self.server = server
        departments = Departments(storage: storage, catalog: Self.catalog, timeZone: Self.zone)
    }

    static func start() async throws -> PlatformRig {
        let folder = NSTemporaryDirectory() + "platform-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let storage = try SQLitePlatformStore(path: folder + "/platform.db")
        var logger = Logger(label: "platform-test")
        logger.logLevel = .warning
        let calendar = try? CalendarLoader.load(directory: repository.appendingPathComponent("Provisioning/calendar").path)
        let service = SyncService(storage: storage, catalog: catalog, calendar: calendar, timeZone: zone, logger: logger)
        let router = try PlatformServer.router(service: service, authenticator: BearerAuthenticator(storage: storage))
        let (ports, port) = AsyncStream<Int>.makeStream()
        let app = PlatformServer.application(router: router, host: "127.0.0.1", port: 0, logger: logger) { channel in
            port.yield(channel.localAddress?.port ?? 0)
        }
        let server = Task { try await app.run() }
        var iterator = ports.makeAsyncIterator()
        guard let bound = await iterator.next() else { throw CancellationError() }
        return PlatformRig(folder: folder, storage: storage, address: "http://127.0.0.1:\(bound)", server: server)
    }

    deinit {
        server.cancel()
        try? FileManager.default.removeItem(atPath: folder)
    }

    /// Registers a kiosk and returns a client that authenticates as it.
    func kiosk(_ name: String) async throws -> (record: KioskRecord, client: Client) {
        let credential = BearerAuthenticator.newCredential()
        let record = try await storage.addKiosk(
            id: UUID().uuidString.lowercased(), name: name, credentialSHA256: BearerAuthenticator.digest(credential), at: Date())
        return (record, client(credential: credential))
    }

    func client(credential: String?) -> Client {
        Client(
            serverURL: URL(string: address + "/sync/v1")!, transport: AsyncHTTPClientTransport(),
            middlewares: [Bearer(credential: credential)])
    }

    /// A case as a kiosk would send it (nothing personal; the sealed part is random bytes).
    static func upload(
        caseID: String = CaseID(at: Date()).description, bundle: String = "newborn",
        sealed: [UInt8] = (0..<2048).map { _ in .random(in: 0...255) },
        rating: Int? = nil
    ) -> Components.Schemas.CaseUpload {
        let receipt = ReceiptNumber(division: 410_721, day: CivilDate(Date(), in: zone), kiosk: 1, sequence: .random(in: 1...99_999))!
        let content = Data(sealed) + Data(caseID.utf8)
        return .init(
            caseID: caseID, contentSHA256: SHA256Hex.of(content), receiptNumber: receipt.description, bundle: bundle, bundleVersion: "1",
            receivedAt: Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down)),
            materials: .init(additionalProperties: ["birth_medical_certificate": .provided]),
            prefill: .init(idCard: 6, sharedData: 4, earlierApplication: 0, citizen: 3), steps: 23, simulatedIdentity: false,
            rating: rating,
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
