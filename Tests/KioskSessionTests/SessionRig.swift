import Foundation
import KioskAPI
import KioskCore
import KioskDevices
import KioskSeal
import KioskSession
import KioskStore
import KioskSync
import Logging
import Testing

/// A session controller in process over a real SQLite file in a temporary folder, a real
/// event bus and a hand-moved clock. `run()` runs in a task the rig owns and cancels.
final class SessionRig: Sendable {
    static let catalog = Catalog(
        fields: [
            FieldDefinition(key: "applicant.name", label: "姓名", type: .text, sources: [.idCard]),
            FieldDefinition(key: "applicant.id_number", label: "身份号码", type: .idNumber, sources: [.idCard]),
            FieldDefinition(key: "applicant.phone", label: "电话", type: .phone, sources: [.earlierApplication, .citizen]),
            FieldDefinition(key: "child.name", label: "新生儿姓名", type: .text, sources: [.citizen]),
        ],
        materials: [
            MaterialDefinition(id: "card", name: "身份证", electronic: true, deferrable: false, originalRequired: true),
            MaterialDefinition(id: "file", name: "出生医学证明", electronic: false, deferrable: false, originalRequired: true),
        ],
        bundles: [
            ServiceBundle(
                id: "newborn", name: "新生儿出生一件事", leadDepartment: "县卫健委", version: "1", validFrom: CivilDate(dayNumber: 0),
                items: [
                    ServiceItem(
                        id: "birth", name: "出生医学证明", department: "县卫健委", legalLimit: TimeLimit(days: 5, counting: .working),
                        promisedLimit: TimeLimit(days: 1, counting: .working), dependsOn: [],
                        fields: ["applicant.name", "applicant.id_number", "applicant.phone", "child.name"], materials: ["card", "file"])
                ])
        ])

    static let card = IDCardData(
        type: .residentID, chineseName: "林晓明", gender: .male, ethnicity: "01", birthDate: "19900307", address: "河南省新乡市红旗区",
        idNumber: "410702199003071233", validFrom: "20150310", validUntil: .date("20350310"))

    /// The platform's sealing keys for these tests: only the tests hold the private half.
    static let platformKey = Data((0..<32).map { _ in UInt8.random(in: 0...255) })

    let folder: String
    let store: CaseStore
    let bus = EventBus()
    /// The log scrubber the controller registers personal values with.
    let redactor = Redactor()
    let clock: ManualClock
    let controller: SessionController
    private let runner: Task<Void, Never>

    init(
        settings: SessionSettings = SessionSettings(), wall: Date = Date(timeIntervalSince1970: 1_796_000_000),
        store replacement: (any SessionStore)? = nil, catalog: Catalog = SessionRig.catalog, calendar: WorkingDayCalendar? = nil,
        prefill: (any PrefillSourceLookup)? = nil
    ) throws {
        folder = NSTemporaryDirectory() + "session-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let logger = Logger(label: "test")
        store = try CaseStore(path: folder + "/kiosk.db", logger: logger)
        clock = ManualClock(wall: wall)
        let controller = SessionController(
            kioskID: "TEST-0001", settings: settings, catalog: catalog, calendar: calendar, store: replacement ?? store,
            lookup: try CitizenLookup.loadOrCreate(at: folder + "/lookup.key"),
            sealingKey: try SealingKeyring(current: Self.platformKey).current,
            outbox: CaseMessageFormat(), printQueue: nil, bus: bus,
            cardReader: IDCardReaderControls(), prefill: prefill, redactor: redactor, logger: logger, clock: clock.sessionClock)
        self.controller = controller
        runner = Task { await controller.run() }
    }

    deinit {
        runner.cancel()
        try? FileManager.default.removeItem(atPath: folder)
    }

    /// Runs `action`, then waits for the session change it causes (`reason`).
    func expectChange(_ reason: String, after action: () async throws -> Void) async throws -> SessionChanged {
        let events = bus.subscribe()
        try await action()
        for await event in events {
            if let change = event as? SessionChanged, change.reason == reason { return change }
        }
        Issue.record("the bus closed before '\(reason)'")
        throw CancellationError()
    }

    /// A visit up to the review step: bundle chosen, notice read, card read, form and materials filled.
    func visitToReview() async throws -> String {
        let token = try #require(try await controller.start(bundle: "newborn").token)
        _ = try await controller.perform(.acknowledgeNotice, token: token)
        _ = try await expectChange("card-read") { bus.publish(IDCardRead(device: "idcard", card: Self.card)) }
        _ = try await controller.perform(.fill(["applicant.phone": "13800138000", "child.name": "林小雨"]), token: token)
        _ = try await controller.perform(.confirmForm, token: token)
        // The kiosk takes no paper: the birth certificate goes to the window, decided already.
        _ = try await controller.perform(.confirmMaterials, token: token)
        return token
    }

    /// Every byte of the database and its WAL, to look for personal data in the clear.
    func databaseBytes() -> Data {
        ["/kiosk.db", "/kiosk.db-wal"].compactMap { FileManager.default.contents(atPath: folder + $0) }.reduce(Data(), +)
    }
}
