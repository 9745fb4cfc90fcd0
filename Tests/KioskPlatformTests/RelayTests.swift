import Foundation
import KioskAPI
import KioskCore
import KioskPlatform
import KioskSession
import KioskStore
import KioskSync
import KioskTrust
import Logging
import Synchronization
import Testing

@Suite(
    "The kiosk's relay delivers every case exactly once, with its attachments, and brings the platform's changes back (real kiosk store, real platform, real HTTP)",
    .timeLimit(.minutes(3)))
struct RelayTests {
    @Test(
        "Cases, attachments and ratings arrive exactly once; acknowledgements are stored; a second pass sends nothing",
        arguments: StorageKind.available)
    func delivers(storage: StorageKind) async throws {
        let platform = try await PlatformRig.start(storage)
        let kiosk = try await KioskRig.start(platform: platform.address, credential: try await platform.credential("KIOSK-0001"))
        var expected: [String: Data] = [:]
        for _ in 0..<7 {
            let (caseID, attachment) = try await kiosk.submitCase(attachmentBytes: Int.random(in: 100_000...300_000))
            expected[caseID] = attachment
        }
        try await kiosk.store.recordRating(caseID: try #require(expected.keys.sorted().first), level: 2)

        let report = await kiosk.relay.syncPass()
        #expect(report.error == nil)
        #expect(report.casesStored == 7)
        #expect(report.attachmentsVerified == 7)
        #expect(report.ratingsStored == 1)
        let cases = try await platform.storage.cases()
        #expect(Set(cases.map(\.caseID)) == Set(expected.keys))
        #expect(cases.allSatisfy { $0.missingAttachments.isEmpty })
        for (caseID, bytes) in expected {
            #expect(try await platform.storage.attachment(caseID: caseID, attachmentID: "signature") == bytes)
        }
        let figures = try await kiosk.store.syncFigures()
        #expect(figures.queueDepth == 0 && figures.unsentAttachments == 0 && figures.unsentRatings == 0)
        #expect(figures.lastSuccessAt != nil && figures.lastError == nil)

        let again = await kiosk.relay.syncPass()
        #expect(again.casesStored == 0 && again.attachmentsVerified == 0 && again.error == nil)
    }

    @Test("Answers lost after the platform committed (a proxy's 502 page) leave no duplicate, and the case is acknowledged on the retry")
    func lostAnswers() async throws {
        let platform = try await PlatformRig.start()
        let proxy = try await FaultyProxy.start(upstream: platform.address)
        let kiosk = try await KioskRig.start(platform: proxy.address, credential: try await platform.credential("KIOSK-0001"))
        var sent: Set<String> = []
        for _ in 0..<5 { sent.insert(try await kiosk.submitCase(attachmentBytes: 150_000).caseID) }

        proxy.inject(.loseAnswer, count: 3)
        let first = await kiosk.relay.syncPass()
        #expect(first.error != nil)
        // The platform has what it committed, the kiosk has no acknowledgement for it yet.
        #expect(try await kiosk.store.syncFigures().queueDepth == 5)

        // Each lost answer fails one pass; the passes after it find the platform's copy.
        var passes = 1
        while await kiosk.relay.syncPass().error != nil, passes < 10 { passes += 1 }
        #expect(passes == 3)
        let cases = try await platform.storage.cases()
        #expect(cases.count == 5)
        #expect(Set(cases.map(\.caseID)) == sent)
        #expect(cases.allSatisfy { $0.missingAttachments.isEmpty })
        #expect(try await kiosk.store.syncFigures().queueDepth == 0)
    }

    @Test("A captive portal's 200 page and a busy platform are never taken as delivered; the technician reads why")
    func unrealAnswers() async throws {
        let platform = try await PlatformRig.start()
        let proxy = try await FaultyProxy.start(upstream: platform.address)
        let kiosk = try await KioskRig.start(platform: proxy.address, credential: try await platform.credential("KIOSK-0001"))
        _ = try await kiosk.submitCase(attachmentBytes: 10_000)

        proxy.inject(.captivePortal)
        let portal = await kiosk.relay.syncPass()
        #expect(portal.casesStored == 0)
        #expect(portal.error?.contains("not the platform's") == true)
        let figures = try await kiosk.store.syncFigures()
        #expect(figures.queueDepth == 1)
        #expect(figures.lastError?.contains("captive portal") == true)

        proxy.inject(.busy(seconds: 7))
        let busy = await kiosk.relay.syncPass()
        #expect(busy.error?.contains("busy") == true)
        #expect(try await platform.storage.cases().isEmpty)

        proxy.inject(.none)
        #expect(await kiosk.relay.syncPass().casesStored == 1)
    }

    @Test(
        "An answer that stops halfway (a partition mid-answer) ends the pass within the request timeout; the next pass delivers once",
        .timeLimit(.minutes(2)))
    func answerStalledMidway() async throws {
        let platform = try await PlatformRig.start()
        let proxy = try await FaultyProxy.start(upstream: platform.address)
        let credential = try await platform.credential("KIOSK-0001")
        let kiosk = try await KioskRig.start(platform: proxy.address, credential: credential, requestTimeout: .seconds(5))
        let (caseID, _) = try await kiosk.submitCase(attachmentBytes: 10_000)

        // The platform stores the case; its answer's head arrives, half its body, then nothing.
        proxy.inject(.stallAnswer, count: 1)
        let stalled = await kiosk.relay.syncPass()
        #expect(stalled.casesStored == 0)
        #expect(stalled.error?.contains("cannot be reached") == true, "\(stalled.error ?? "no error")")
        #expect(try await kiosk.store.syncFigures().queueDepth == 1)

        // The next pass, with a timeout no loaded machine's healthy exchange can miss.
        let patient = try await kiosk.restart(platform: proxy.address, credential: credential)
        let healed = await patient.relay.syncPass()
        #expect(healed.error == nil)
        #expect(try await kiosk.store.syncFigures().queueDepth == 0)
        #expect(try await platform.storage.cases().map(\.caseID) == [caseID])
    }

    @Test(
        "The platform's stages, reasons and results come back, are applied once with the cursor, and show on the progress record",
        arguments: StorageKind.available)
    func changesComeBack(storage: StorageKind) async throws {
        let platform = try await PlatformRig.start(storage)
        let kiosk = try await KioskRig.start(platform: platform.address, credential: try await platform.credential("KIOSK-0001"))
        let (caseID, _) = try await kiosk.submitCase(attachmentBytes: 5_000)
        #expect(await kiosk.relay.syncPass().error == nil)
        let newborn = try #require(PlatformRig.catalog.bundle("newborn"))
        let free = try #require(newborn.items.first { $0.dependsOn.isEmpty })
        let other = try #require(newborn.items.first { $0.id != free.id })
        _ = try await platform.departments.advance(caseID: caseID, item: free.id, to: .accepted, actor: "窗口")
        _ = try await platform.departments.advance(caseID: caseID, item: free.id, to: .inReview, actor: "窗口")
        let pdf = Data("%PDF-1.7 result %%EOF".utf8)
        _ = try await platform.departments.advance(caseID: caseID, item: free.id, to: .approved, result: pdf, actor: "窗口")
        _ = try await platform.departments.advance(caseID: caseID, item: other.id, to: .notAccepted, reason: "材料不属于本部门受理范围", actor: "窗口")

        let report = await kiosk.relay.syncPass()
        #expect(report.changesApplied == 5)
        let statuses = try #require(try await kiosk.store.platformStatuses(caseIDs: [caseID])[caseID])
        #expect(statuses[free.id]?.stage == "approved")
        #expect(statuses[free.id]?.resultReady == true)
        #expect(statuses[other.id]?.stage == "not_accepted")
        #expect(statuses[other.id]?.reason == "材料不属于本部门受理范围")
        // Accepted items carry the date the department promised, on the working-day calendar.
        let promised = try #require(statuses[free.id]?.promisedBy)
        #expect(promised.count == 10 && promised > CivilDate(Date(), in: PlatformRig.zone).description)
        let cursor = try await kiosk.store.syncCursor()
        #expect(cursor > 0)
        // Nothing new: nothing applied, the cursor stays.
        #expect(await kiosk.relay.syncPass().changesApplied == 0)
        #expect(try await kiosk.store.syncCursor() == cursor)
        // The case's own record follows the platform.
        let stored = try await kiosk.store.cases(citizenKey: KioskRig.citizenKey, limit: 5)
        let detail = try KioskJSON.decoder().decode(BundleCase.self, from: try #require(stored.first?.detail))
        #expect(detail.state(of: free.id) == .approved)
    }

    @Test("A platform that is down: the case waits, the error says so, and it goes when the platform is back")
    func platformDown() async throws {
        let platform = try await PlatformRig.start()
        let credential = try await platform.credential("KIOSK-0001")
        // Nothing listens there: the pass ends at once, not when its 60 s time limit runs out.
        let kiosk = try await KioskRig.start(platform: "http://127.0.0.1:9", credential: credential)
        let asked = ContinuousClock.now
        _ = try await kiosk.submitCase(attachmentBytes: 1_000)
        let down = await kiosk.relay.syncPass()
        #expect(down.error?.contains("cannot be reached") == true)
        #expect(ContinuousClock.now - asked < .seconds(30), "a refused connection took \(ContinuousClock.now - asked) to be told")
        #expect(try await kiosk.store.syncFigures().queueDepth == 1)
        // The same store, the relay restarted against the platform's right address.
        let restarted = try await kiosk.restart(platform: platform.address, credential: credential)
        #expect(await restarted.relay.syncPass().casesStored == 1)
    }

    @Test("A kiosk whose clock was set back a year still delivers and applies changes; the skew is recorded for the doctor")
    func clockSetBack() async throws {
        let platform = try await PlatformRig.start()
        let yearAgo: @Sendable () -> Date = { Date().addingTimeInterval(-365 * 86_400) }
        let kiosk = try await KioskRig.start(
            platform: platform.address, credential: try await platform.credential("KIOSK-0001"), now: yearAgo)
        let (caseID, _) = try await kiosk.submitCase(attachmentBytes: 2_000)
        #expect(await kiosk.relay.syncPass().casesStored == 1)
        let newborn = try #require(PlatformRig.catalog.bundle("newborn"))
        let item = try #require(newborn.items.first { $0.dependsOn.isEmpty })
        _ = try await platform.departments.advance(caseID: caseID, item: item.id, to: .accepted, actor: "窗口")
        #expect(await kiosk.relay.syncPass().changesApplied == 1)
        #expect(try await kiosk.store.platformStatuses(caseIDs: [caseID])[caseID]?[item.id]?.stage == "accepted")
        let skew = try #require(try await kiosk.store.syncFigures().skewSeconds)
        #expect(abs(skew + 365 * 86_400) < 120)
    }

    @Test("Backoff: full jitter under a doubling cap, Retry-After as a floor, back to the base after a success")
    func backoff() {
        var backoff = Backoff(base: .seconds(1), cap: .seconds(60))
        var random = SystemRandomNumberGenerator()
        for attempt in 1...10 {
            let wait = backoff.next(using: &random)
            #expect(wait <= .seconds(min(60, 1 << attempt)))
        }
        #expect(backoff.next(retryAfter: .seconds(120), using: &random) >= .seconds(120))
        backoff.reset()
        #expect(backoff.next(using: &random) <= .seconds(2))
    }
}

/// A kiosk's store in a temporary folder and its relay to `platform`.
struct KioskRig: Sendable {
    static let citizenKey = "citizen-key-of-the-test-applicant"
    let folder: String
    let store: CaseStore
    let relay: SyncRelay
    let counter: Counter

    final class Counter: Sendable {
        private let value = Mutex<Int>(0)
        func next() -> Int {
            value.withLock {
                $0 += 1; return $0
            }
        }
    }

    static func start(
        platform: String, credential: String = "", identity: IdentityFolder? = nil, folder: String? = nil,
        requestTimeout: Duration = .seconds(60), now: @escaping @Sendable () -> Date = { Date() }
    ) async throws -> KioskRig {
        let folder = folder ?? NSTemporaryDirectory() + "kiosk-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        var logger = Logger(label: "relay-test")
        logger.logLevel = .critical
        let store = try CaseStore(path: folder + "/kiosk.db", logger: logger)
        var settings = SyncSettings(platform: try #require(URL(string: platform)), credential: credential)
        settings.identity = identity
        settings.requestTimeout = requestTimeout
        let relay = try SyncRelay(
            settings: settings, store: store, timeZone: PlatformRig.zone, logger: logger,
            facts: { HeartbeatFacts(devices: [], software: "test", catalog: nil, calendar: nil, uptimeSeconds: 1) }, now: now)
        return KioskRig(folder: folder, store: store, relay: relay, counter: Counter())
    }

    /// The same store with a new relay, as after a restart of kioskd.
    /// A test's passes must not fail for a slow but healthy exchange: its timeout is generous
    /// unless the test is about a stall.
    func restart(platform: String, credential: String, requestTimeout: Duration = .seconds(60)) async throws -> KioskRig {
        var logger = Logger(label: "relay-test")
        logger.logLevel = .critical
        var settings = SyncSettings(platform: try #require(URL(string: platform)), credential: credential)
        settings.requestTimeout = requestTimeout
        let relay = try SyncRelay(
            settings: settings, store: store, timeZone: PlatformRig.zone, logger: logger,
            facts: { HeartbeatFacts(devices: [], software: "test", catalog: nil, calendar: nil, uptimeSeconds: 1) })
        return KioskRig(folder: folder, store: store, relay: relay, counter: counter)
    }

    /// Commits a 新生儿出生 case with a sealed signature attachment, as a submit does.
    func submitCase(attachmentBytes: Int) async throws -> (caseID: String, attachment: Data) {
        let now = Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down))
        let caseID = CaseID(at: now)
        let day = CivilDate(now, in: PlatformRig.zone)
        let receipt = try #require(ReceiptNumber(division: 410_721, day: day, kiosk: 1, sequence: counter.next()))
        let bundle = try #require(PlatformRig.catalog.bundle("newborn"))
        let attachment = Data((0..<attachmentBytes).map { _ in UInt8.random(in: 0...255) })
        let sealed = Data((0..<2048).map { _ in UInt8.random(in: 0...255) })
        let message = try CaseMessageFormat().message(
            for: SubmittedApplication(
                caseID: caseID.description, receiptNumber: receipt.description, bundle: bundle.id, bundleVersion: bundle.version,
                kioskID: "KIOSK-0001", receivedAt: now, materials: ["birth_medical_certificate": .provided], sealedApplication: sealed,
                prefill: [.idCard: 6, .citizen: 3],
                attachments: [
                    SubmittedAttachment(
                        id: "signature", kind: "signature", length: attachment.count, sha256: ContentHash.sha256Hex(attachment))
                ]))
        var newCase = NewCase(
            id: caseID.description, receiptNumber: receipt.description, bundleID: bundle.id, createdAt: now,
            outboxPayload: message, citizenKey: Self.citizenKey,
            detail: try KioskJSON.encoder().encode(BundleCase(id: caseID, receipt: receipt, bundle: bundle, day: day, at: now)))
        newCase.attachments = [NewAttachment(id: "signature", kind: "signature", bytes: attachment)]
        try await store.insert(newCase)
        return (caseID.description, attachment)
    }
}
