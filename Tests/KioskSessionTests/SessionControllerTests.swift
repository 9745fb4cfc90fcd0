import Foundation
import KioskAPI
import KioskCore
import KioskSeal
import KioskSession
import KioskStore
import KioskSync
import KioskSyncAPI
import OpenAPIRuntime
import Testing

@Suite("Citizen session in process (real SQLite, hand-moved clock)", .timeLimit(.minutes(1)))
struct SessionControllerTests {
    @Test("Submitting commits one case with its outbox row, sealed, and shows the receipt")
    func submitCommitsOneCase() async throws {
        let rig = try SessionRig()
        let token = try await rig.visitToReview()
        let view = try await rig.controller.perform(.submit, token: token)
        #expect(view.step == .receipt)
        let number = try #require(view.receipt?.number)
        // No printer configured: the receipt is shown on screen at once, with its QR code.
        guard case .onScreen(let reason, let svg, let url)? = view.receipt?.print else {
            Issue.record("expected the receipt on screen, got \(String(describing: view.receipt?.print))")
            return
        }
        #expect(reason == "no-printer")
        #expect(svg.hasPrefix("<svg") && url.hasSuffix(number))

        let summary = await rig.store.summary()
        #expect(summary.cases == 1)
        #expect(summary.syncQueueDepth == 1)
        let cases = try await rig.store.cases(
            citizenKey: CitizenLookup.loadOrCreate(at: rig.folder + "/lookup.key").citizenKey(idNumber: SessionRig.card.idNumber), limit: 5)
        #expect(cases.map(\.receiptNumber) == [number])
        // Nothing personal in the clear anywhere in the database or its WAL.
        let bytes = rig.databaseBytes()
        for personal in [SessionRig.card.name, SessionRig.card.idNumber, "13800138000", "林小雨"] {
            #expect(bytes.range(of: Data(personal.utf8)) == nil, "found personal data in the database")
        }
        // Only the platform's key (held by the tests) opens the case, and only as this case.
        let pending = try #require(try await rig.store.pendingCases(limit: 1).first)
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        let upload = try decoder.decode(Components.Schemas.CaseUpload.self, from: pending.payload)
        let keyring = try SealingKeyring(current: SessionRig.platformKey)
        let opened = try keyring.open(Data(upload.sealedApplication.data), context: pending.caseID)
        let application = try JSONDecoder().decode(SealedApplication.self, from: opened)
        #expect(application.values["applicant.name"]?.value == SessionRig.card.name)
        #expect(throws: SealError.self) { try keyring.open(Data(upload.sealedApplication.data), context: "another-case") }
    }

    @Test("A second tap on 提交 while the first commits makes no second case")
    func doubleSubmit() async throws {
        let rig = try SessionRig()
        let token = try await rig.visitToReview()
        async let first = try? rig.controller.perform(.submit, token: token)
        async let second = try? rig.controller.perform(.submit, token: token)
        let outcomes = await [first, second]
        #expect(outcomes.compactMap { $0 }.count == 1)
        #expect(await rig.store.summary().cases == 1)
    }

    @Test(
        "The receipt number carries the kiosk's own day, in its configured time zone",
        arguments: [("Asia/Shanghai", "20261202"), ("UTC", "20261201")])
    func receiptDayFollowsTimeZone(zone: String, day: String) async throws {
        var settings = SessionSettings()
        settings.timeZone = try #require(TimeZone(identifier: zone))
        // 2026-12-01 17:30 UTC is already 2 December in Beijing.
        let rig = try SessionRig(settings: settings, wall: Date(timeIntervalSince1970: 1_796_146_200))
        let token = try await rig.visitToReview()
        let number = try #require(try await rig.controller.perform(.submit, token: token).receipt?.number)
        #expect(number.contains("-\(day)-"), "receipt \(number)")
    }

    @Test("An untouched session is wiped at the idle timeout, not before")
    func idleWipe() async throws {
        var settings = SessionSettings()
        settings.idleTimeout = .seconds(120)
        let rig = try SessionRig(settings: settings)
        var sleeps = rig.clock.sleeps.makeAsyncIterator()
        let token = try #require(try await rig.controller.start(bundle: "newborn").token)
        _ = await sleeps.next()  // the idle watch sleeps until the deadline
        rig.clock.advance(by: .seconds(119))
        #expect(try await rig.controller.current(token: token).step == .notice)
        _ = try await rig.expectChange("timeout") { rig.clock.advance(by: .seconds(1)) }
        await #expect(throws: SessionFailure.self) { try await rig.controller.current(token: token) }
        #expect(await rig.controller.isIdle)
    }

    @Test("A touch restarts the idle timer")
    func activityKeepsSessionAlive() async throws {
        let rig = try SessionRig()
        var sleeps = rig.clock.sleeps.makeAsyncIterator()
        let token = try #require(try await rig.controller.start(bundle: "newborn").token)
        _ = await sleeps.next()
        rig.clock.advance(by: .seconds(100))
        _ = try await rig.controller.activity(token: token)
        rig.clock.advance(by: .seconds(30))  // 130 s after the start, 30 s after the touch
        _ = await sleeps.next()  // the watch woke, found time left, and sleeps again
        #expect(try await rig.controller.current(token: token).idle.remainingSeconds == 90)
    }

    @Test("Without the right token nothing is shown or done")
    func tokenRequired() async throws {
        let rig = try SessionRig()
        _ = try await rig.controller.start(bundle: "newborn")
        for presented in [nil, "", String(repeating: "0", count: 32)] {
            await #expect(throws: SessionFailure.self) { try await rig.controller.current(token: presented) }
            await #expect(throws: SessionFailure.self) { try await rig.controller.perform(.acknowledgeNotice, token: presented) }
        }
    }

    @Test("A store that cannot commit: the citizen is told nothing was submitted, and the form is kept")
    func storeFailure() async throws {
        let rig = try SessionRig(store: FailingStore())
        let token = try await rig.visitToReview()
        do {
            _ = try await rig.controller.perform(.submit, token: token)
            Issue.record("submit succeeded on a full disk")
        } catch {
            #expect(error.code == .refused)
            #expect(error.message.contains("存储空间不足"))
        }
        #expect(try await rig.controller.current(token: token).step == .review)
    }

    @Test("The outbox row is the contract's CaseUpload: the sealed application, counts and attachment digests, nothing in the clear")
    func outboxMessage() throws {
        let application = SubmittedApplication(
            caseID: "c1", receiptNumber: "r1", bundle: "newborn", bundleVersion: "1", kioskID: "K",
            receivedAt: Date(timeIntervalSince1970: 0), materials: ["file": .provided, "photo": .window],
            sealedApplication: Data([1, 2, 3]),
            prefill: [.idCard: 5, .citizen: 2],
            attachments: [SubmittedAttachment(id: "signature", kind: "signature", length: 10, sha256: String(repeating: "a", count: 64))])
        let message = try CaseMessageFormat().message(for: application)
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        let decoded = try decoder.decode(Components.Schemas.CaseUpload.self, from: message)
        #expect(decoded.caseID == "c1" && Data(decoded.sealedApplication.data) == Data([1, 2, 3]))
        // The platform is told which materials come to the window (not under the pledge).
        #expect(decoded.materials.additionalProperties == ["file": .provided, "photo": .window])
        #expect(decoded.prefill?.idCard == 5 && decoded.prefill?.citizen == 2 && decoded.prefill?.sharedData == 0)
        #expect(decoded.attachments?.map(\.attachmentID) == ["signature"])
        // The same case always gives the same bytes, and its declared hash.
        #expect(try CaseMessageFormat().message(for: application) == message)
        #expect(decoded.contentSHA256.count == 64 && decoded.contentSHA256 != String(repeating: "0", count: 64))
    }
}

/// A disk that is full: every commit fails the way SQLite's SQLITE_FULL is reported.
actor FailingStore: SessionStore {
    func insertNumbered(dayTag: String, _ make: @Sendable (Int) throws -> NewCase) async throws(StoreError) -> NewCase {
        throw StoreError(.diskFull, "the disk is full")
    }
    func cases(citizenKey: String, limit: Int) async throws(StoreError) -> [StoredCase] { [] }
    func platformStatuses(caseIDs: [String]) async throws(StoreError) -> [String: [String: PlatformItemStatus]] { [:] }
    func recordRating(caseID: String, level: Int, at: Date) async throws(StoreError) {}
    func latestPrintJobID(caseNumber: String) async throws(StoreError) -> String? { nil }
    func recordDelivery(
        caseID: String, item: String, at: Date, resultSHA256: String?, job: Int?
    ) async throws(StoreError)
        -> DeliveryMessage
    {
        throw StoreError(.diskFull, "the disk is full")
    }
    func beginResultPrint(job: Int, caseID: String, item: String, resultSHA256: String?, at: Date) async throws(StoreError) {
        throw StoreError(.diskFull, "the disk is full")
    }
    func endResultPrint(job: Int) async throws(StoreError) {}
    func unfinishedResultPrints() async throws(StoreError) -> [UnfinishedResultPrint] { [] }
    func deliveryCounts(caseIDs: [String]) async throws(StoreError) -> [String: [String: Int]] { [:] }
}
