import ArgumentParser
import Foundation
import Hummingbird
import KioskCatalog
import KioskCore
import KioskDocuments
import KioskFiles
import KioskPlatform
import KioskSeal
import Logging
import NIOSSL
import ServiceLifecycle
import UnixSignals

/// `kiosk-platform`: the reference central platform. Wiring only; the logic is in KioskPlatform.
@main
struct KioskPlatformCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kiosk-platform",
        abstract: "The reference central platform of the kiosk sync contract.",
        subcommands: [
            Serve.self, Token.self, Kiosk.self, Kiosks.self, Cases.self, Item.self, Report.self, CatalogGroup.self, CalendarGroup.self,
            Sealing.self, Site.self, Ticket.self,
        ])
}

/// Where the platform's database and catalog are.
struct PlatformOptions: ParsableArguments {
    @Option(
        help:
            "The platform's SQLite file (default: ~/.local/state/kiosk-platform/platform.db) or a postgres://user@host:port/database address."
    )
    var database: String?

    @Option(help: "The bundle catalog the platform fans cases out with.")
    var catalog: String =
        FileManager.default.fileExists(atPath: "Provisioning/catalog") ? "Provisioning/catalog" : "/usr/share/kiosk/catalog"

    @Option(help: "The working-day calendar.")
    var calendar: String =
        FileManager.default.fileExists(atPath: "Provisioning/calendar") ? "Provisioning/calendar" : "/usr/share/kiosk/calendar"

    @Option(help: "The platform's civil day (IANA time zone).")
    var timeZone: String = "Asia/Shanghai"

    @Option(
        help:
            "The folder of the platform's keys: its CA, TLS, catalogue-signing and sealing keys (default: 'keys' beside the SQLite file, or ~/.local/state/kiosk-platform/keys). Instances over one database share it."
    )
    var keys: String?

    var keysPath: String {
        if let keys { return keys }
        if databasePath.hasPrefix("postgres") {
            let home = ProcessInfo.processInfo.environment["HOME"] ?? "/tmp"
            return (home as NSString).appendingPathComponent(".local/state/kiosk-platform/keys")
        }
        return ((databasePath as NSString).deletingLastPathComponent as NSString).appendingPathComponent("keys")
    }

    /// The platform's authority, made on first use; the TLS certificate names `serverNames`.
    func authority(serverNames: [String]) throws -> PlatformAuthority {
        do {
            return try PlatformAuthority(folder: keysPath, serverNames: serverNames)
        } catch {
            throw CommandFailure(message: error.message)
        }
    }

    var databasePath: String {
        if let database { return database }
        let home = ProcessInfo.processInfo.environment["HOME"] ?? "/tmp"
        return (home as NSString).appendingPathComponent(".local/state/kiosk-platform/platform.db")
    }

    /// Runs `body` with the platform's storage: the SQLite file, or the PostgreSQL database
    /// named by a `postgres://` address (its connection pool runs for as long as `body`).
    func withStorage<T: Sendable>(_ body: (any PlatformStorage) async throws -> T) async throws -> T {
        if databasePath.hasPrefix("postgres://") || databasePath.hasPrefix("postgresql://") {
            var logger = Logger(label: "kiosk-platform")
            logger.logLevel = .warning
            let store: PostgresPlatformStore
            do {
                store = try PostgresPlatformStore(url: databasePath, logger: logger)
            } catch {
                throw ValidationError(error.message)
            }
            return try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await store.run() }
                defer { group.cancelAll() }
                do {
                    try await store.migrate()
                    return try await body(store)
                } catch let error as PlatformError {
                    throw CommandFailure(message: error.message)
                }
            }
        }
        let folder = (databasePath as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        do {
            return try await body(try SQLitePlatformStore(path: databasePath))
        } catch let error as PlatformError {
            throw CommandFailure(message: error.message)
        }
    }

    func zone() throws -> TimeZone {
        guard let zone = TimeZone(identifier: timeZone) else { throw ValidationError("unknown time zone '\(timeZone)'") }
        return zone
    }

    func loadCatalog() throws -> Catalog {
        let loaded = CatalogLoader.load(directory: catalog)
        guard loaded.problems.isEmpty else {
            throw ValidationError(
                "the catalog in \(catalog) has problems (run 'kioskctl catalog lint \(catalog)'):\n"
                    + loaded.problems.prefix(5).map(\.description).joined(separator: "\n"))
        }
        return loaded.catalog
    }
}

extension KioskPlatformCommand {
    struct Serve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Serve the sync contract (loopback by default).")
        @OptionGroup var options: PlatformOptions
        @Option(help: "Address to listen on.") var host = "127.0.0.1"
        @Option(help: "Port (0: any free port, printed at start).") var port = 8090
        @Option(help: "Requests served at once; beyond, 503 with Retry-After.") var maxInFlight = 512
        @Option(help: "Hours an unfinished attachment upload is kept after its last chunk.") var uploadExpiryHours = 24.0
        @Option(help: "Port of the department workbench, always on 127.0.0.1 (0: any free port; -1: none).") var workbenchPort = 8091
        @Option(
            help: ArgumentHelp(
                "A name kiosks reach the platform by (DNS name or IPv4 address), in its TLS certificate; repeat for more.",
                valueName: "name"))
        var tlsName: [String] = []
        @Flag(
            help:
                "Plain HTTP with bearer credentials ('kiosk add'), for tests and benchmarks on 127.0.0.1 only; no enrolment. Refused on any other address."
        )
        var plainHTTP = false
        @Option(
            help:
                "The demo records prefill lookups are answered from (shared data and earlier applications of invented people; default: Provisioning/examples/shared-data.yaml in a checkout)."
        )
        var sharedData: String?
        @Option(
            help:
                "The query-and-print services (查询打印) and the demo records they are answered from (default: Provisioning/examples/query-services.yaml in a checkout)."
        )
        var queryServices: String?
        @Option(help: "The document templates certificates are rendered with (default: Provisioning/templates in a checkout).")
        var templates: String?
        @Option(
            help:
                "The address printed certificates send their readers to for verification (GET /verify/CODE); default: this server's own address."
        )
        var publicURL: String?

        func validate() throws {
            if plainHTTP, host != "127.0.0.1", host != "localhost" {
                throw ValidationError("--plain-http is for loopback only (127.0.0.1); kiosks on a network connect with mutual TLS")
            }
        }

        /// The query-and-print services, when a list is given or found in the checkout.
        func certificateOffice(zone: TimeZone) throws -> CertificateOffice? {
            let example = "Provisioning/examples/query-services.yaml"
            guard let path = queryServices ?? (FileManager.default.fileExists(atPath: example) ? example : nil) else { return nil }
            let records: QueryServiceRecords
            do { records = try QueryServiceRecords.load(path: path) } catch { throw CommandFailure(message: "the query services \(error)") }
            let folder = templates ?? "Provisioning/templates"
            let catalog: TemplateCatalog
            do { catalog = try TemplateCatalog.load(directory: folder, kinds: [.certificate]) } catch {
                throw CommandFailure(message: "the certificate template: \(error) (give the templates with --templates DIR)")
            }
            return CertificateOffice(
                records: records, templates: catalog, timeZone: zone, verificationBase: publicURL ?? "https://\(host):\(port)")
        }

        func run() async throws {
            var logger = Logger(label: "kiosk-platform")
            logger.logLevel = .info
            let calendar = try? CalendarLoader.load(directory: options.calendar)
            let catalog = try options.loadCatalog()
            let zone = try options.zone()
            let records: SharedDataRecords?
            let sharedDataPath =
                sharedData
                ?? (FileManager.default.fileExists(atPath: "Provisioning/examples/shared-data.yaml")
                    ? "Provisioning/examples/shared-data.yaml" : nil)
            if let sharedDataPath {
                do { records = try SharedDataRecords.load(path: sharedDataPath) } catch {
                    throw CommandFailure(message: "the shared data \(error)")
                }
            } else {
                records = nil
            }
            let office = try certificateOffice(zone: zone)
            let (host, port, maxInFlight, expiry, benchPort) = (
                self.host, self.port, self.maxInFlight, uploadExpiryHours * 3600, workbenchPort
            )
            let plain = plainHTTP
            let names = tlsName.isEmpty ? Array(Set([host == "0.0.0.0" ? "localhost" : host, "localhost", "127.0.0.1"])).sorted() : tlsName
            let authority = plain ? nil : try options.authority(serverNames: names)
            try await options.withStorage { storage in
                let service = SyncService(
                    storage: storage, catalog: catalog, calendar: calendar, timeZone: zone, logger: logger, uploadExpiry: expiry,
                    sharedData: records, certificates: office)
                if let authority, let office {
                    if let version = try await authority.publishQueryServices(office, storage: storage) {
                        logger.notice("Query services published", metadata: ["version": "\(version)"])
                    }
                }
                let router: Router<PlatformRequestContext>
                let tls: TLSConfiguration?
                if let authority {
                    router = try PlatformServer.router(
                        service: service, authenticator: CertificateAuthenticator(storage: storage),
                        enrolment: PlatformEnrolment(authority: authority, storage: storage, logger: logger), maxInFlight: maxInFlight)
                    tls = try authority.serverTLS()
                } else {
                    router = try PlatformServer.router(
                        service: service, authenticator: BearerAuthenticator(storage: storage), maxInFlight: maxInFlight)
                    tls = nil
                }
                let scheme = plain ? "http" : "https"
                let app = try PlatformServer.application(router: router, host: host, port: port, tls: tls, logger: logger) { channel in
                    // Written straight to the descriptor: scripts and tests wait for this line.
                    let bound = channel.localAddress?.port ?? port
                    if let office, self.publicURL == nil {
                        office.setVerificationBase("\(scheme)://\(names.contains(host) ? host : names[0]):\(bound)")
                    }
                    FileHandle.standardOutput.write(
                        Data("kiosk-platform listening on \(scheme)://\(host):\(bound)/ (contract at /openapi.yaml)\n".utf8))
                }
                // Bytes of uploads left unfinished past their expiry are dropped every ten minutes.
                let purge = Task { [logger] in
                    while !Task.isCancelled {
                        if let purged = try? await storage.purgeExpiredUploads(at: Date()), purged > 0 {
                            logger.info("Expired uploads dropped", metadata: ["count": "\(purged)"])
                        }
                        try? await Task.sleep(for: .seconds(600))
                    }
                }
                defer { purge.cancel() }
                var services: [any Service] = [app]
                if benchPort >= 0 {
                    let workbench = Workbench(
                        storage: storage, departments: Departments(storage: storage, catalog: catalog, calendar: calendar, timeZone: zone),
                        catalog: catalog, timeZone: zone, authority: authority ?? (try? options.authority(serverNames: names)))
                    // The workbench listens on loopback only, whatever --host says.
                    services.append(
                        try PlatformServer.application(
                            router: PlatformServer.workbenchRouter(workbench), host: "127.0.0.1", port: benchPort, logger: logger
                        ) { channel in
                            let bound = channel.localAddress?.port ?? benchPort
                            FileHandle.standardOutput.write(Data("kiosk-platform workbench on http://127.0.0.1:\(bound)/\n".utf8))
                        })
                }
                try await ServiceGroup(
                    configuration: .init(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
                ).run()
            }
        }
    }

    struct Kiosk: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Manage kiosks.", subcommands: [Add.self, Revoke.self])

        struct Add: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Register a kiosk and print its credential (shown once; only its hash is kept).")
            @OptionGroup var options: PlatformOptions
            @Argument(help: "The kiosk's name, e.g. KIOSK-0001.") var name: String
            @Flag var json = false

            func run() async throws {
                guard !name.isEmpty, name.count <= 64, name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) })
                else { throw ValidationError("a kiosk name is 1–64 letters, digits, '-', '_' or '.'") }
                let credential = BearerAuthenticator.newCredential()
                let name = self.name
                let kiosk = try await options.withStorage { storage in
                    try await storage.addKiosk(
                        id: UUID().uuidString.lowercased(), name: name, credentialSHA256: BearerAuthenticator.digest(credential), at: Date()
                    )
                }
                if json {
                    let data = try JSONSerialization.data(
                        withJSONObject: ["id": kiosk.id, "name": kiosk.name, "credential": credential], options: [.sortedKeys])
                    print(String(decoding: data, as: UTF8.self))
                } else {
                    print("kiosk \(kiosk.name) added (id \(kiosk.id))")
                    print("credential (shown once; put it in the kiosk's configuration): \(credential)")
                }
            }
        }
    }

    struct Kiosks: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The fleet: each kiosk's last heartbeat, queue, device faults with what to do, versions and clock skew.")
        @OptionGroup var options: PlatformOptions
        @Flag var json = false

        func run() async throws {
            let fleet = try await options.withStorage { try await FleetEntry.fleet($0) }
            if json { return try printJSON(fleet) }
            let now = Date()
            let currentSealingKey = try? options.authority(serverNames: ["localhost"]).sealingKeyring().currentID
            for entry in fleet {
                guard let last = entry.lastHeartbeat else {
                    print("\(entry.name)  \(entry.revoked ? "REVOKED" : "never heard from")")
                    continue
                }
                var line = "\(entry.name)  last heard \(Int(now.timeIntervalSince(last))) s ago"
                line += "  queue \(entry.queueDepth ?? 0)"
                if let oldest = entry.oldestUnsentAt { line += " (oldest \(Int(now.timeIntervalSince(oldest) / 60)) min)" }
                if let skew = entry.clockSkewSeconds { line += String(format: "  clock %+.0f s", skew) }
                line += "  software \(entry.software ?? "?") catalog \(entry.catalog ?? "?")"
                if entry.revoked { line += "  REVOKED" }
                line += "  audit \(entry.auditHeld) entries"
                if let key = entry.sealingKey {
                    line +=
                        "  sealing \(key)\(currentSealingKey != nil && key != currentSealingKey ? " (NOT the current key: it takes the rotated one at its next sync)" : "")"
                }
                print(line)
                if let problem = entry.auditProblem { print("    AUDIT TRAIL DOES NOT CHECK: \(problem)") }
                for refused in entry.refusedBundles { print("    refused \(refused)") }
                for fault in entry.faults {
                    print("    \(fault.device) \(fault.state): \(fault.fault ?? "-") → \(fault.action ?? "see the kiosk's doctor")")
                }
            }
        }
    }

    struct Cases: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the cases and their items' stages.")
        @OptionGroup var options: PlatformOptions
        @Flag var json = false

        func run() async throws {
            let cases = try await options.withStorage { try await $0.cases() }
            if json { return try printJSON(cases) }
            for summary in cases {
                print(
                    "\(summary.platformReceipt)  \(summary.caseID)  \(summary.bundle)  receipt \(summary.receiptNumber)  from \(summary.kioskName)"
                )
                for item in summary.items { print("    \(item.id)  \(item.stage.rawValue)  \(item.department)") }
            }
        }
    }

    struct Item: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Work on a case's items, as their department.", subcommands: [Advance.self])

        struct Advance: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract:
                    "Move an item to a stage: accepted, not_accepted, in_review, awaiting_supplements, suspended, approved, denied, withdrawn, delivered, archived."
            )
            @OptionGroup var options: PlatformOptions
            @Argument var caseID: String
            @Argument var item: String
            @Argument var stage: String
            @Option(help: "Why (needed for not_accepted, awaiting_supplements, suspended, denied).") var reason: String?
            @Option(help: "The result document (PDF) delivered at the kiosk, with approved.") var result: String?

            func run() async throws {
                guard let target = ItemState(rawValue: stage) else {
                    throw ValidationError("unknown stage '\(stage)'; one of \(ItemState.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                var document: Data?
                if let result {
                    guard let data = FileManager.default.contents(atPath: result), data.starts(with: Array("%PDF".utf8)) else {
                        throw ValidationError("\(result) is not a readable PDF file")
                    }
                    document = data
                }
                let (catalog, zone) = (try options.loadCatalog(), try options.zone())
                let calendar = try? CalendarLoader.load(directory: options.calendar)
                let (caseID, item, reason, proof) = (self.caseID, self.item, self.reason, document)
                let summary = try await options.withStorage { storage in
                    try await Departments(storage: storage, catalog: catalog, calendar: calendar, timeZone: zone).advance(
                        caseID: caseID, item: item, to: target, reason: reason, result: proof, actor: "kiosk-platform item advance")
                }
                for item in summary.items { print("\(item.id)  \(item.stage.rawValue)") }
            }
        }
    }
}

/// A command that could not do its work (exit code 1); bad input stays a `ValidationError`.
struct CommandFailure: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

func printJSON(_ value: some Encodable) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    encoder.dateEncodingStrategy = .iso8601
    print(String(decoding: try encoder.encode(value), as: UTF8.self))
}
