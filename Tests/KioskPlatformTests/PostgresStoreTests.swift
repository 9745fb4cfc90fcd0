import Foundation
import KioskPlatform
import Logging
import Synchronization
import Testing

@Suite("The PostgreSQL store")
struct PostgresStoreTests {
    @Test(
        "A query made before the pool runs waits for it: no warning at every start of kiosk-platform",
        .enabled(if: StorageKind.available.contains(.postgres)))
    func firstQueryWaitsForThePool() async throws {
        let url = try await PlatformRig.freshDatabase()
        let recorded = RecordedWarnings()
        let logger = Logger(label: "postgres-store") { _ in WarningRecorder(recorded: recorded) }
        let store = try PostgresPlatformStore(url: url, logger: logger)
        let migration = Task { try await store.migrate() }
        // The pool starts late, as a loaded machine may start it: the migration is asked first.
        try await Task.sleep(for: .milliseconds(100))
        let pool = Task { await store.run() }
        defer { pool.cancel() }
        try await migration.value
        #expect(recorded.messages.isEmpty, "\(recorded.messages)")
    }
}

/// Every message at warning level or above, whoever logs it.
final class RecordedWarnings: Sendable {
    private let recorded = Mutex<[String]>([])
    var messages: [String] { recorded.withLock { $0 } }
    func add(_ message: String) { recorded.withLock { $0.append(message) } }
}

struct WarningRecorder: LogHandler {
    let recorded: RecordedWarnings
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        if event.level >= .warning { recorded.add("\(event.level): \(event.message)") }
    }
}
