import AsyncHTTPClient
import Foundation
import KioskCore
import KioskPlatform
import KioskSyncAPI
import NIOCore
import NIOHTTP1
import OpenAPIRuntime
import Synchronization
import Testing

@Suite(
    "kiosk-platform serves the sync contract (real HTTP on loopback; SQLite, and PostgreSQL where the test server runs)",
    .timeLimit(.minutes(2)))
struct SyncContractTests {
    @Test(
        "A replay with identical content gets the original answer; other content under the same id is a conflict",
        arguments: StorageKind.available)
    func idempotentDelivery(storage: StorageKind) async throws {
        let platform = try await PlatformRig.start(storage)
        let (_, kiosk) = try await platform.kiosk("KIOSK-0001")
        let upload = PlatformRig.upload()
        let first = try await kiosk.submitCases(body: .json(.init(cases: [upload]))).ok.body.json.outcomes[0]
        #expect(first.status == .stored)
        let replay = try await kiosk.submitCases(body: .json(.init(cases: [upload]))).ok.body.json.outcomes[0]
        #expect(replay == first)
        var changed = upload
        changed.sealedApplication = .init([1, 2, 3])
        let conflict = try await kiosk.submitCases(body: .json(.init(cases: [changed]))).ok.body.json.outcomes[0]
        #expect(conflict.status == .conflict)
        #expect(conflict.platformReceipt == nil)
        let cases = try await platform.storage.cases()
        #expect(cases.count == 1)
        // Fanned out: one work item per catalog item, in the department the catalog names.
        let newborn = try #require(PlatformRig.catalog.bundle("newborn"))
        #expect(cases[0].items.map(\.id).sorted() == newborn.items.map(\.id).sorted())
        #expect(cases[0].items.allSatisfy { $0.stage == .received })
    }

    @Test(
        "A batch answers per case, in order: stored, rejected for an unknown bundle, conflict for a repeated id with other content",
        arguments: StorageKind.available)
    func mixedBatch(storage: StorageKind) async throws {
        let platform = try await PlatformRig.start(storage)
        let (_, kiosk) = try await platform.kiosk("KIOSK-0001")
        let good = PlatformRig.upload()
        var twin = good
        twin.sealedApplication = .init([9])
        let unknown = PlatformRig.upload(bundle: "no-such-bundle")
        let answer = try await kiosk.submitCases(body: .json(.init(cases: [good, unknown, twin]))).ok.body.json
        #expect(answer.outcomes.map(\.status) == [.stored, .rejected, .conflict])
        #expect(answer.outcomes.map(\.caseID) == [good.caseID, unknown.caseID, twin.caseID])
        #expect(abs(answer.serverTime.timeIntervalSinceNow) < 60)
    }

    @Test("Without a known credential nothing is read or stored", arguments: StorageKind.available)
    func authentication(storage: StorageKind) async throws {
        let platform = try await PlatformRig.start(storage)
        for credential in [nil, "", "not-a-credential"] {
            let output = try await platform.client(credential: credential).submitCases(body: .json(.init(cases: [PlatformRig.upload()])))
            guard case .unauthorized(let answer) = output else {
                Issue.record("expected 401, got \(output)")
                continue
            }
            #expect(try answer.body.json.error.code == "unauthenticated")
        }
        #expect(try await platform.storage.cases().isEmpty)
    }

    @Test("A kiosk can neither see nor change another kiosk's case", arguments: StorageKind.available)
    func isolation(storage: StorageKind) async throws {
        let platform = try await PlatformRig.start(storage)
        let (_, first) = try await platform.kiosk("KIOSK-0001")
        let (_, second) = try await platform.kiosk("KIOSK-0002")
        let upload = PlatformRig.upload()
        _ = try await first.submitCases(body: .json(.init(cases: [upload])))
        // The same id from another kiosk: refused, and nothing of the first case is said.
        let stolen = try await second.submitCases(body: .json(.init(cases: [upload]))).ok.body.json.outcomes[0]
        #expect(stolen.status == .conflict && stolen.platformReceipt == nil && stolen.storedAt == nil)
        _ = try await platform.departments.advance(caseID: upload.caseID, item: "birth_certificate", to: .accepted, actor: "test")
        #expect(try await second.listChanges().ok.body.json.changes.isEmpty)
        #expect(try await first.listChanges().ok.body.json.changes.count == 1)
        let rating = try await second.submitRating(
            body: .json(.init(ratingID: "r-1", caseID: upload.caseID, level: 1, givenAt: Date())))
        guard case .notFound = rating else {
            Issue.record("another kiosk rated the case: \(rating)")
            return
        }
    }

    @Test(
        "Departments move items through the procedure; illegal jumps, missing reasons and open dependencies are refused",
        arguments: StorageKind.available)
    func stages(storage: StorageKind) async throws {
        let platform = try await PlatformRig.start(storage)
        let (_, kiosk) = try await platform.kiosk("KIOSK-0001")
        let upload = PlatformRig.upload()
        _ = try await kiosk.submitCases(body: .json(.init(cases: [upload])))
        let id = upload.caseID
        let departments = platform.departments
        let refused1 = await refusal { try await departments.advance(caseID: id, item: "birth_certificate", to: .approved, actor: "t") }
        #expect(refused1 == .illegalStage)
        let refused2 = await refusal { try await departments.advance(caseID: id, item: "birth_certificate", to: .notAccepted, actor: "t") }
        #expect(refused2 == .reasonRequired)
        let refused3 = await refusal { try await departments.advance(caseID: id, item: "no_such_item", to: .accepted, actor: "t") }
        #expect(refused3 == .unknownItem)
        let refused4 = await refusal { try await departments.advance(caseID: "nope", item: "birth_certificate", to: .accepted, actor: "t") }
        #expect(refused4 == .unknownCase)
        // 户口登记 needs the birth certificate's result before it can be decided.
        for stage: ItemState in [.accepted, .inReview] {
            _ = try await departments.advance(caseID: id, item: "birth_registration", to: stage, actor: "公安")
        }
        let refused5 = await refusal { try await departments.advance(caseID: id, item: "birth_registration", to: .approved, actor: "t") }
        #expect(refused5 == .dependencyOpen)
        _ = try await departments.advance(caseID: id, item: "birth_certificate", to: .accepted, actor: "卫健委")
        _ = try await departments.advance(caseID: id, item: "birth_certificate", to: .inReview, actor: "卫健委")
        _ = try await departments.advance(
            caseID: id, item: "birth_certificate", to: .awaitingSupplements, reason: "出生医学证明复印件不清晰", actor: "卫健委")
        _ = try await departments.advance(caseID: id, item: "birth_certificate", to: .inReview, actor: "卫健委")
        let pdf = Data("%PDF-1.4 result".utf8)
        _ = try await departments.advance(caseID: id, item: "birth_certificate", to: .approved, result: pdf, actor: "卫健委")
        let summary = try await departments.advance(caseID: id, item: "birth_registration", to: .approved, actor: "公安")
        #expect(summary.items.first { $0.id == "birth_registration" }?.stage == .approved)
        // The applicant withdraws an item before its decision: it stops.
        let withdrawn = try await departments.advance(caseID: id, item: "parenting_guidance", to: .withdrawn, actor: "申请人")
        #expect(withdrawn.items.first { $0.id == "parenting_guidance" }?.stage == .withdrawn)
        let refused6 = await refusal { try await departments.advance(caseID: id, item: "parenting_guidance", to: .accepted, actor: "t") }
        #expect(refused6 == .illegalStage)
        // The kiosk hears every move, with its reason, and that a result is ready.
        let changes = try await kiosk.listChanges(query: .init(limit: 500)).ok.body.json.changes
        #expect(changes.filter { $0.kind == .itemStage }.count == 9)
        #expect(changes.contains { $0.stage == .awaitingSupplements && $0.reason == "出生医学证明复印件不清晰" })
        #expect(changes.filter { $0.kind == .resultReady }.map(\.item) == ["birth_certificate"])
    }

    @Test("The change feed returns each change exactly once across pages, in order", arguments: StorageKind.available)
    func changePaging(storage: StorageKind) async throws {
        let platform = try await PlatformRig.start(storage)
        let (_, kiosk) = try await platform.kiosk("KIOSK-0001")
        let uploads = (0..<3).map { _ in PlatformRig.upload() }
        _ = try await kiosk.submitCases(body: .json(.init(cases: uploads)))
        for upload in uploads {
            for item in ["birth_certificate", "vaccination_certificate"] {
                _ = try await platform.departments.advance(caseID: upload.caseID, item: item, to: .accepted, actor: "t")
            }
        }
        var cursor: Int64?
        var seen: [Int64] = []
        var pages = 0
        while true {
            let page = try await kiosk.listChanges(query: .init(after: cursor, limit: 4)).ok.body.json
            pages += 1
            seen += page.changes.map(\.cursor)
            cursor = page.changes.last?.cursor ?? cursor
            if !page.more { break }
        }
        #expect(seen.count == 6 && Set(seen).count == 6 && seen == seen.sorted())
        #expect(pages == 2)
        #expect(try await kiosk.listChanges(query: .init(after: cursor)).ok.body.json.changes.isEmpty)
        guard case .badRequest = try await kiosk.listChanges(query: .init(limit: 0)) else {
            Issue.record("limit 0 was accepted")
            return
        }
    }

    @Test(
        "A heartbeat is recorded, answered with the kiosk's clock skew, and shows in the fleet view with faults and what to do",
        arguments: StorageKind.available)
    func heartbeat(storage: StorageKind) async throws {
        let platform = try await PlatformRig.start(storage)
        let (_, kiosk) = try await platform.kiosk("KIOSK-0001")
        let before = Date()
        let kioskClock = before.addingTimeInterval(-90)  // a kiosk whose clock is 90 s slow
        let answer = try await kiosk.sendHeartbeat(
            body: .json(
                .init(
                    sentAt: kioskClock, uptimeSeconds: 12,
                    devices: [.init(id: "receipt", kind: "receipt_printer", state: "user_error", fault: "paper out", action: "clear")],
                    queueDepth: 3, versions: .init(software: "0.1.0", catalog: "2026.1")))
        ).ok.body.json
        // The platform read its clock between `before` and now; the kiosk's time travels in
        // whole seconds.
        let took = Date().timeIntervalSince(before)
        let expected = (-91.5 - took)...(-88.5)
        let skew = try #require(answer.skewSeconds)
        #expect(expected ~= skew)
        // The fleet view: the last heartbeat, the queue, the fault with its action, the skew.
        _ = try await platform.kiosk("KIOSK-0002")
        let fleet = try await FleetEntry.fleet(platform.storage)
        #expect(fleet.map(\.name) == ["KIOSK-0001", "KIOSK-0002"])
        #expect(fleet[0].queueDepth == 3 && fleet[0].software == "0.1.0" && fleet[0].catalog == "2026.1")
        #expect(fleet[0].faults == [FleetEntry.Fault(device: "receipt", state: "user_error", fault: "paper out", action: "clear")])
        #expect(expected.contains(fleet[0].clockSkewSeconds ?? 0))
        #expect(fleet[1].lastHeartbeat == nil && fleet[1].faults.isEmpty)
    }

    @Test("差评 at a progress visit opens a follow-up for the lead department; a replay answers the same", arguments: StorageKind.available)
    func ratings(storage: StorageKind) async throws {
        let platform = try await PlatformRig.start(storage)
        let (_, kiosk) = try await platform.kiosk("KIOSK-0001")
        let upload = PlatformRig.upload(rating: 5)
        _ = try await kiosk.submitCases(body: .json(.init(cases: [upload])))
        let bad = Operations.SubmitRating.Input.Body.json(.init(ratingID: "r-1", caseID: upload.caseID, level: 2, givenAt: Date()))
        let first = try await kiosk.submitRating(body: bad).ok.body.json
        #expect(first.followUp == true)
        #expect(try await kiosk.submitRating(body: bad).ok.body.json == first)
        let good = try await kiosk.submitRating(body: .json(.init(ratingID: "r-2", caseID: upload.caseID, level: 4, givenAt: Date())))
        #expect(try good.ok.body.json.followUp == false)
        guard
            case .conflict = try await kiosk.submitRating(
                body: .json(.init(ratingID: "r-1", caseID: upload.caseID, level: 5, givenAt: Date())))
        else {
            Issue.record("a changed replay of a rating was accepted")
            return
        }
    }

    @Test("The platform serves the contract it was generated from", arguments: StorageKind.available)
    func servesContract(storage: StorageKind) async throws {
        let platform = try await PlatformRig.start(storage)
        let file = try Data(contentsOf: PlatformRig.repository.appendingPathComponent("Sources/KioskSyncAPI/openapi.yaml"))
        // The generated code must come from this very document: run scripts/generate-sync-api.sh after editing it.
        #expect(SHA256Hex.of(file) == SyncAPIDocument.sha256, "openapi.yaml changed; run scripts/generate-sync-api.sh")
        let response = try await HTTPClient.shared.execute(
            HTTPClientRequest(url: platform.address + "/openapi.yaml"), timeout: .seconds(10))
        #expect(response.status == .ok)
        let body = try await response.body.collect(upTo: 1 << 20)
        #expect(Data(body.readableBytesView) == file)
    }

    @Test("A body that is not the contract's JSON gets a 400 in the contract's error shape", arguments: StorageKind.available)
    func malformed(storage: StorageKind) async throws {
        let platform = try await PlatformRig.start(storage)
        let credential = BearerAuthenticator.newCredential()
        _ = try await platform.storage.addKiosk(
            id: "k", name: "KIOSK-0009", credentialSHA256: BearerAuthenticator.digest(credential), at: Date())
        var request = HTTPClientRequest(url: platform.address + "/sync/v1/cases")
        request.method = .POST
        request.headers.add(name: "Authorization", value: "Bearer \(credential)")
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(string: #"{"cases": [{"caseID": 42}]}"#))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        #expect(response.status == .badRequest)
        let body = try await response.body.collect(upTo: 1 << 20)
        let json = try JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any]
        #expect((json?["error"] as? [String: Any])?["code"] as? String == "bad-request")
        #expect(try await platform.storage.cases().isEmpty)
    }

    @Test(
        "The same batches sent at once to two instances over one PostgreSQL store each case exactly once",
        .enabled(if: StorageKind.available.contains(.postgres), "needs scripts/postgres-test-env.sh"))
    func twoInstances() async throws {
        let platform = try await PlatformRig.start(.postgres)
        let credential = try await platform.credential("KIOSK-0001")
        let second = try await platform.secondInstance()
        defer { second.stop() }
        let clients = [platform.client(credential: credential), platform.client(credential: credential, address: second.address)]
        let uploads = (0..<40).map { _ in PlatformRig.upload() }
        let batches = stride(from: 0, to: uploads.count, by: 10).map { Array(uploads[$0..<$0 + 10]) }
        // Every batch three times to each instance, all at once: replays racing each other.
        let outcomes = try await withThrowingTaskGroup(of: [Components.Schemas.CaseOutcome].self) { group in
            for batch in batches {
                for client in clients {
                    for _ in 0..<3 {
                        group.addTask { try await client.submitCases(body: .json(.init(cases: batch))).ok.body.json.outcomes }
                    }
                }
            }
            var all: [Components.Schemas.CaseOutcome] = []
            for try await answer in group { all += answer }
            return all
        }
        #expect(outcomes.count == uploads.count * 6)
        #expect(outcomes.allSatisfy { $0.status == .stored })
        // One platform receipt per case, whichever instance answered and however often.
        let receipts = Dictionary(grouping: outcomes, by: \.caseID).mapValues { Set($0.map(\.platformReceipt)) }
        #expect(receipts.count == uploads.count && receipts.values.allSatisfy { $0.count == 1 })
        #expect(try await platform.storage.cases().count == uploads.count)
    }

    @Test(
        "Two departments writing while the kiosk reads: the feed delivers every change once, none skipped by a late commit",
        arguments: StorageKind.available)
    func feedUnderConcurrentWriters(storage: StorageKind) async throws {
        let platform = try await PlatformRig.start(storage)
        let (_, kiosk) = try await platform.kiosk("KIOSK-0001")
        let uploads = (0..<6).map { _ in PlatformRig.upload() }
        _ = try await kiosk.submitCases(body: .json(.init(cases: uploads)))
        let departments = platform.departments
        let items = ["birth_certificate", "vaccination_certificate", "parenting_guidance"]
        // Two writers, each moving its own items through two stages.
        let done = Flag()
        let writers = Task {
            defer { done.set() }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for half in [Array(uploads.prefix(3)), Array(uploads.suffix(3))] {
                    group.addTask {
                        for upload in half {
                            for item in items {
                                for stage: ItemState in [.accepted, .inReview] {
                                    _ = try await departments.advance(caseID: upload.caseID, item: item, to: stage, actor: "t")
                                }
                            }
                        }
                    }
                }
                try await group.waitForAll()
            }
        }
        var cursor: Int64?
        var seen: [Int64] = []
        // Read while they write, then once more after they finished.
        while !done.isSet {
            let read = try await readFeed(kiosk, after: cursor)
            (seen, cursor) = (seen + read.cursors, read.last ?? cursor)
            await Task.yield()
        }
        try await writers.value
        let read = try await readFeed(kiosk, after: cursor)
        seen += read.cursors
        #expect(seen.count == uploads.count * items.count * 2)
        #expect(Set(seen).count == seen.count, "a change was delivered twice")
        #expect(seen == seen.sorted())
    }

    @Test("Times from other clients parse whatever RFC 3339 form they take; ours go out in whole seconds, UTC")
    func rfc3339() throws {
        let transcoder = RFC3339DateTranscoder()
        let expected = Date(timeIntervalSince1970: 1_796_025_600)  // 2026-11-30T08:00:00Z
        #expect(try transcoder.decode("2026-11-30T16:00:00+08:00") == expected)
        #expect(try abs(transcoder.decode("2026-11-30T08:00:00.250Z").timeIntervalSince(expected) - 0.25) < 0.001)
        #expect(try transcoder.encode(expected) == "2026-11-30T08:00:00Z")
        #expect(throws: (any Error).self) { try transcoder.decode("30/11/2026 08:00") }
    }

    @Test("A method the contract does not have answers 405 with Allow, in the contract's error shape", arguments: StorageKind.available)
    func methodNotAllowed(storage: StorageKind) async throws {
        let platform = try await PlatformRig.start(storage)
        let credential = try await platform.credential("KIOSK-0001")
        var request = HTTPClientRequest(url: platform.address + "/sync/v1/cases")
        request.method = .DELETE
        request.headers.add(name: "Authorization", value: "Bearer \(credential)")
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        #expect(response.status == .methodNotAllowed)
        #expect(response.headers["Allow"].first == "POST")
        var unknown = HTTPClientRequest(url: platform.address + "/sync/v1/nothing-here")
        unknown.method = .GET
        unknown.headers.add(name: "Authorization", value: "Bearer \(credential)")
        #expect(try await HTTPClient.shared.execute(unknown, timeout: .seconds(10)).status == .notFound)
    }
}

/// The code a refused department move gives (nil: the move was accepted).
private func refusal(_ attempt: () async throws -> CaseSummary) async -> PlatformError.Code? {
    do {
        _ = try await attempt()
        return nil
    } catch {
        return (error as? PlatformError)?.code
    }
}
/// Every change after `cursor`, page by page.
private func readFeed(_ kiosk: Client, after cursor: Int64?) async throws -> (cursors: [Int64], last: Int64?) {
    var cursor = cursor
    var cursors: [Int64] = []
    while true {
        let page = try await kiosk.listChanges(query: .init(after: cursor, limit: 5)).ok.body.json
        cursors += page.changes.map(\.cursor)
        cursor = page.changes.last?.cursor ?? cursor
        if !page.more { return (cursors, cursor) }
    }
}

/// Set once, read from any task.
final class Flag: Sendable {
    private let value = Atomic<Bool>(false)
    var isSet: Bool { value.load(ordering: .acquiring) }
    func set() { value.store(true, ordering: .releasing) }
}
