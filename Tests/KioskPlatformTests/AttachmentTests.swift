import AsyncHTTPClient
import Crypto
import Foundation
import KioskCore
import KioskPlatform
import KioskSyncAPI
import NIOCore
import NIOHTTP1
import NIOPosix
import OpenAPIRuntime
import Testing

@Suite(
    "Attachments arrive like tus: resumed at the stored offset, checked byte for byte, expired when left (real HTTP)",
    .timeLimit(.minutes(2)))
struct AttachmentTests {
    @Test(
        "An attachment cut at random offsets resumes where the platform stopped; the case completes when every byte matched",
        arguments: StorageKind.available)
    func resumes(storage: StorageKind) async throws {
        let platform = try await PlatformRig.start(storage)
        let (_, kiosk) = try await platform.kiosk("KIOSK-0001")
        let pledge = Data((0..<300_000).map { _ in UInt8.random(in: 0...255) })
        let signature = Data((0..<1_500).map { _ in UInt8.random(in: 0...255) })
        let upload = PlatformRig.upload(attachments: [declaration("pledge", pledge, kind: .pledge), declaration("signature", signature)])
        let outcome = try await kiosk.submitCases(body: .json(.init(cases: [upload]))).ok.body.json.outcomes[0]
        #expect(outcome.status == .stored)
        #expect(outcome.missingAttachments?.sorted() == ["pledge", "signature"])

        // Not accepted (受理) while the materials are still on their way.
        let items = try await platform.storage.cases()[0].items
        await #expect(throws: PlatformError.self) {
            _ = try await platform.departments.advance(caseID: upload.caseID, item: items[0].id, to: .accepted, actor: "窗口")
        }

        let created = try await kiosk.createAttachment(body: .json(create(upload.caseID, "pledge", pledge))).created.body.json
        #expect(created.offset == 0 && !created.verified)
        var offset: Int64 = 0
        var cuts = 0
        while offset < pledge.count {
            let end = min(pledge.count, Int(offset) + Int.random(in: 1...90_000))
            if Bool.random() || cuts == 0 {
                // The connection drops: the kiosk does not know how much arrived, so it asks.
                cuts += 1
                let stale = try await kiosk.appendAttachment(
                    path: .init(caseID: upload.caseID, attachmentID: "pledge"),
                    headers: .init(uploadOffset: max(0, offset - 1) + (offset == 0 ? 1 : 0)),
                    body: .applicationOffsetOctetStream(HTTPBody(pledge[0..<1])))
                guard case .conflict = stale else { Issue.record("a chunk at the wrong offset was taken: \(stale)"); return }
                offset = try await kiosk.attachmentOffset(path: .init(caseID: upload.caseID, attachmentID: "pledge")).ok.headers
                    .uploadOffset
            }
            let chunk = pledge[Int(offset)..<end]
            let state = try await kiosk.appendAttachment(
                path: .init(caseID: upload.caseID, attachmentID: "pledge"),
                headers: .init(uploadOffset: offset, uploadChecksum: checksum(chunk)), body: .applicationOffsetOctetStream(HTTPBody(chunk))
            ).ok.body.json
            offset = state.offset
            #expect(offset == Int64(end))
            #expect(state.verified == (end == pledge.count))
        }
        #expect(cuts >= 1)
        #expect(try await platform.storage.attachment(caseID: upload.caseID, attachmentID: "pledge") == pledge)
        // A replay of the case tells what is still missing.
        let replay = try await kiosk.submitCases(body: .json(.init(cases: [upload]))).ok.body.json.outcomes[0]
        #expect(replay.missingAttachments == ["signature"])

        _ = try await kiosk.createAttachment(body: .json(create(upload.caseID, "signature", signature))).created
        let done = try await kiosk.appendAttachment(
            path: .init(caseID: upload.caseID, attachmentID: "signature"), headers: .init(uploadOffset: 0),
            body: .applicationOffsetOctetStream(HTTPBody(signature))
        ).ok.body.json
        #expect(done.verified)
        // Creating a finished upload again only reports it.
        #expect(try await kiosk.createAttachment(body: .json(create(upload.caseID, "signature", signature))).created.body.json.verified)
        #expect(try await platform.storage.cases()[0].missingAttachments.isEmpty)
        _ = try await platform.departments.advance(caseID: upload.caseID, item: items[0].id, to: .accepted, actor: "窗口")
    }

    @Test(
        "A flipped byte is refused: in a chunk it costs that chunk, in the whole it restarts the upload", arguments: StorageKind.available)
    func flippedByte(storage: StorageKind) async throws {
        let platform = try await PlatformRig.start(storage)
        let (_, kiosk) = try await platform.kiosk("KIOSK-0001")
        let bytes = Data((0..<50_000).map { _ in UInt8.random(in: 0...255) })
        let upload = PlatformRig.upload(attachments: [declaration("material-1", bytes, kind: .material)])
        _ = try await kiosk.submitCases(body: .json(.init(cases: [upload]))).ok
        _ = try await kiosk.createAttachment(body: .json(create(upload.caseID, "material-1", bytes))).created
        let path = Operations.AppendAttachment.Input.Path(caseID: upload.caseID, attachmentID: "material-1")
        var flipped = bytes
        flipped[12_345] ^= 0x01

        // With the chunk's own checksum: the damaged chunk is not written.
        let first = try await kiosk.appendAttachment(
            path: path, headers: .init(uploadOffset: 0, uploadChecksum: checksum(bytes[0..<20_000])),
            body: .applicationOffsetOctetStream(HTTPBody(flipped[0..<20_000])))
        guard case .unprocessableContent = first else { Issue.record("a damaged chunk was taken: \(first)"); return }
        #expect(
            try await kiosk.attachmentOffset(path: .init(caseID: upload.caseID, attachmentID: "material-1")).ok.headers.uploadOffset == 0)

        // Without one: the whole fails its declared SHA-256 at the last byte and is dropped.
        let whole = try await kiosk.appendAttachment(
            path: path, headers: .init(uploadOffset: 0), body: .applicationOffsetOctetStream(HTTPBody(flipped)))
        guard case .unprocessableContent = whole else { Issue.record("a damaged attachment was verified: \(whole)"); return }
        #expect(
            try await kiosk.attachmentOffset(path: .init(caseID: upload.caseID, attachmentID: "material-1")).ok.headers.uploadOffset == 0)
        #expect(try await platform.storage.attachment(caseID: upload.caseID, attachmentID: "material-1") == nil)

        let resent = try await kiosk.appendAttachment(
            path: path, headers: .init(uploadOffset: 0), body: .applicationOffsetOctetStream(HTTPBody(bytes))
        ).ok.body.json
        #expect(resent.verified)
        #expect(try await platform.storage.attachment(caseID: upload.caseID, attachmentID: "material-1") == bytes)
    }

    @Test(
        "A fresh attachment begins with its first chunk at 0, without a create; an undeclared one is still unknown",
        arguments: StorageKind.available)
    func beginsWithFirstChunk(storage: StorageKind) async throws {
        let platform = try await PlatformRig.start(storage)
        let (_, kiosk) = try await platform.kiosk("KIOSK-0001")
        let bytes = Data((0..<50_000).map { _ in UInt8.random(in: 0...255) })
        let upload = PlatformRig.upload(attachments: [declaration("pledge", bytes, kind: .pledge)])
        _ = try await kiosk.submitCases(body: .json(.init(cases: [upload]))).ok
        let first = try await kiosk.appendAttachment(
            path: .init(caseID: upload.caseID, attachmentID: "pledge"), headers: .init(uploadOffset: 0),
            body: .applicationOffsetOctetStream(HTTPBody(bytes[0..<20_000]))
        ).ok.body.json
        #expect(first.offset == 20_000 && !first.verified)
        // Begun, it is an upload like any other: HEAD knows it and its expiry.
        let head = try await kiosk.attachmentOffset(path: .init(caseID: upload.caseID, attachmentID: "pledge")).ok.headers
        #expect(head.uploadOffset == 20_000)
        #expect(head.uploadExpires != nil)
        let last = try await kiosk.appendAttachment(
            path: .init(caseID: upload.caseID, attachmentID: "pledge"), headers: .init(uploadOffset: 20_000),
            body: .applicationOffsetOctetStream(HTTPBody(bytes[20_000...]))
        ).ok.body.json
        #expect(last.verified)
        #expect(try await platform.storage.attachment(caseID: upload.caseID, attachmentID: "pledge") == bytes)
        let undeclared = try await kiosk.appendAttachment(
            path: .init(caseID: upload.caseID, attachmentID: "other"), headers: .init(uploadOffset: 0),
            body: .applicationOffsetOctetStream(HTTPBody(bytes[0..<10])))
        guard case .notFound = undeclared else { Issue.record("an undeclared attachment was taken: \(undeclared)"); return }
    }

    @Test(
        "An upload left unfinished past its expiry is refused (410) and starts again at 0 when created anew",
        arguments: StorageKind.available)
    func expiry(storage: StorageKind) async throws {
        let platform = try await PlatformRig.start(storage)
        let (_, kiosk) = try await platform.kiosk("KIOSK-0001")
        let bytes = Data((0..<10_000).map { _ in UInt8.random(in: 0...255) })
        let upload = PlatformRig.upload(attachments: [declaration("pledge", bytes, kind: .pledge)])
        _ = try await kiosk.submitCases(body: .json(.init(cases: [upload]))).ok
        let path = Operations.AppendAttachment.Input.Path(caseID: upload.caseID, attachmentID: "pledge")
        // Before it is created there is nothing to continue, and nothing to find.
        let early = try await kiosk.appendAttachment(
            path: path, headers: .init(uploadOffset: 10), body: .applicationOffsetOctetStream(HTTPBody(bytes[10..<20])))
        guard case .conflict = early else { Issue.record("a chunk past 0 before create was taken: \(early)"); return }
        guard case .notFound = try await kiosk.attachmentOffset(path: .init(caseID: upload.caseID, attachmentID: "pledge")) else {
            Issue.record("an upload nobody began answered HEAD"); return
        }
        let created = try await kiosk.createAttachment(body: .json(create(upload.caseID, "pledge", bytes))).created.body.json
        #expect(try #require(created.expiresAt) > platform.clock.now().addingTimeInterval(23 * 3600))
        _ = try await kiosk.appendAttachment(
            path: path, headers: .init(uploadOffset: 0), body: .applicationOffsetOctetStream(HTTPBody(bytes[0..<4_000]))
        ).ok

        platform.clock.advance(by: 25 * 3600)
        let headAnswer = try await kiosk.attachmentOffset(path: .init(caseID: upload.caseID, attachmentID: "pledge"))
        guard case .gone = headAnswer else {
            Issue.record("an expired upload still answered HEAD"); return
        }
        let late = try await kiosk.appendAttachment(
            path: path, headers: .init(uploadOffset: 4_000), body: .applicationOffsetOctetStream(HTTPBody(bytes[4_000...])))
        guard case .gone = late else { Issue.record("a chunk for an expired upload was taken: \(late)"); return }
        #expect(try await platform.storage.purgeExpiredUploads(at: platform.clock.now()) == 1)

        let again = try await kiosk.createAttachment(body: .json(create(upload.caseID, "pledge", bytes))).created.body.json
        #expect(again.offset == 0)
        let done = try await kiosk.appendAttachment(
            path: path, headers: .init(uploadOffset: 0), body: .applicationOffsetOctetStream(HTTPBody(bytes))
        ).ok.body.json
        #expect(done.verified)
    }

    @Test("Uploads stay inside their kiosk and their declaration", arguments: StorageKind.available)
    func isolation(storage: StorageKind) async throws {
        let platform = try await PlatformRig.start(storage)
        let (_, mine) = try await platform.kiosk("KIOSK-0001")
        let (_, other) = try await platform.kiosk("KIOSK-0002")
        let bytes = Data(repeating: 7, count: 1_000)
        let upload = PlatformRig.upload(attachments: [declaration("pledge", bytes, kind: .pledge)])
        _ = try await mine.submitCases(body: .json(.init(cases: [upload]))).ok
        guard case .notFound = try await other.createAttachment(body: .json(create(upload.caseID, "pledge", bytes))) else {
            Issue.record("another kiosk opened an upload on this kiosk's case"); return
        }
        guard case .notFound = try await mine.createAttachment(body: .json(create(upload.caseID, "undeclared", bytes))) else {
            Issue.record("an attachment the case never declared was opened"); return
        }
        guard case .conflict = try await mine.createAttachment(body: .json(create(upload.caseID, "pledge", bytes + [1]))) else {
            Issue.record("an upload with another length than declared was opened"); return
        }
    }

    @Test(
        "A result attached on 办结 comes through the feed with its SHA-256 and downloads; other kiosks get 404",
        arguments: StorageKind.available)
    func results(storage: StorageKind) async throws {
        let platform = try await PlatformRig.start(storage)
        let (_, kiosk) = try await platform.kiosk("KIOSK-0001")
        let (_, other) = try await platform.kiosk("KIOSK-0002")
        let upload = PlatformRig.upload(bundle: "newborn")
        _ = try await kiosk.submitCases(body: .json(.init(cases: [upload]))).ok
        let newborn = try #require(PlatformRig.catalog.bundle("newborn"))
        let item = try #require(newborn.items.first { $0.dependsOn.isEmpty })
        for stage in [ItemState.accepted, .inReview] {
            _ = try await platform.departments.advance(caseID: upload.caseID, item: item.id, to: stage, actor: "窗口")
        }
        let pdf = Data("%PDF-1.7\n出生医学证明 result\n%%EOF\n".utf8)
        _ = try await platform.departments.advance(caseID: upload.caseID, item: item.id, to: .approved, result: pdf, actor: "窗口")
        let changes = try await kiosk.listChanges(query: .init()).ok.body.json.changes
        let ready = try #require(changes.first { $0.kind == .resultReady })
        #expect(ready.resultSHA256 == SHA256Hex.of(pdf))
        #expect(ready.resultLength == Int64(pdf.count))
        let body = try await kiosk.downloadResult(path: .init(caseID: upload.caseID, item: item.id)).ok.body.pdf
        #expect(try await Data(collecting: body, upTo: 1 << 20) == pdf)
        guard case .notFound = try await other.downloadResult(path: .init(caseID: upload.caseID, item: item.id)) else {
            Issue.record("another kiosk downloaded this kiosk's result"); return
        }
    }

    @Test("Past its in-flight limit the platform answers 503 with Retry-After at once, and serves again when load falls")
    func overload() async throws {
        let platform = try await PlatformRig.start(.sqlite, maxInFlight: 1)
        let credential = try await platform.credential("KIOSK-0001")
        // An upload whose body does not finish holds the one place: a raw connection that sends
        // the head and the first bytes of a chunked body, and then waits.
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: try #require(URL(string: platform.address)?.port)).get()
        let head =
            "POST /sync/v1/cases HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer \(credential)\r\n"
            + "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nb\r\n{\"cases\": [\r\n"
        try await channel.writeAndFlush(ByteBuffer(string: head)).get()
        var busy: HTTPClientResponse?
        // The holders reach the server when the scheduler lets them: probe until the platform
        // says it is busy, within a generous bound.
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            var probe = HTTPClientRequest(url: platform.address + "/sync/v1/changes")
            probe.headers.add(name: "Authorization", value: "Bearer \(credential)")
            let response = try await HTTPClient.shared.execute(probe, timeout: .seconds(10))
            if response.status == .serviceUnavailable {
                busy = response
                break
            }
            await Task.yield()
        }
        let refused = try #require(busy, "the platform never said it was busy with its place taken")
        #expect(refused.headers["Retry-After"].first.flatMap(Int.init) != nil)
        // The place is given back once the held request's handler has ended, which follows the
        // close by however long the platform takes to notice: ask until it answers again.
        try await channel.close().get()
        var probe = HTTPClientRequest(url: platform.address + "/sync/v1/changes")
        probe.headers.add(name: "Authorization", value: "Bearer \(credential)")
        let freed = ContinuousClock.now + .seconds(30)
        var status = try await HTTPClient.shared.execute(probe, timeout: .seconds(10)).status
        while status == .serviceUnavailable, ContinuousClock.now < freed {
            try await Task.sleep(for: .milliseconds(50))
            status = try await HTTPClient.shared.execute(probe, timeout: .seconds(10)).status
        }
        #expect(status == .ok, "the platform stays busy after the request holding its place went away")
    }
}

private func declaration(
    _ id: String, _ bytes: Data, kind: Components.Schemas.AttachmentDeclaration.KindPayload = .signature
) -> Components.Schemas.AttachmentDeclaration {
    .init(attachmentID: id, kind: kind, length: Int64(bytes.count), sha256: SHA256Hex.of(bytes))
}

private func create(_ caseID: String, _ id: String, _ bytes: Data) -> Components.Schemas.AttachmentCreate {
    .init(caseID: caseID, attachmentID: id, length: Int64(bytes.count), sha256: SHA256Hex.of(bytes))
}

/// tus's `Upload-Checksum` for one chunk.
private func checksum(_ chunk: Data) -> String {
    "sha256 " + Data(SHA256.hash(data: chunk)).base64EncodedString()
}
