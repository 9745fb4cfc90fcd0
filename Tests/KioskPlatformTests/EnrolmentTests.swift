import AsyncHTTPClient
import Foundation
import KioskPlatform
import KioskStore
import KioskSync
import KioskTrust
import NIOCore
import NIOHTTP1
import NIOSSL
import Testing

/// Enrolment and mutual TLS against a real platform over real TLS on loopback: the platform is
/// the CA of its kiosks; the kiosk trusts only the CA its token pins.
@Suite("Kiosk identity: enrolment with single-use tokens, mutual TLS, renewal, revocation (real TLS on loopback)")
struct EnrolmentTests {
    static let day: TimeInterval = 86_400

    /// A fresh kiosk state folder and its identity.
    static func identity() throws -> (folder: String, identity: IdentityFolder) {
        let folder = NSTemporaryDirectory() + "kiosk-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        return (folder, IdentityFolder(stateDirectory: folder))
    }

    static func token(
        _ platform: PlatformRig, name: String? = nil, reenrol: String? = nil, lifetime: TimeInterval = 3600
    ) async throws
        -> String
    {
        let enrolment = try #require(platform.enrolment)
        return try await enrolment.makeToken(site: "测试县政务服务中心", kioskName: name, reenrol: reenrol, lifetime: lifetime).token.description
    }

    /// A kiosk enrolled `days` ago on the platform's clock (its certificate dated then), the clock back to now.
    static func enrolled(
        _ identity: IdentityFolder, daysAgo days: Double, on platform: PlatformRig, name: String? = nil
    ) async throws -> IdentityFolder.Enrolled {
        platform.clock.advance(by: -days * day)
        defer { platform.clock.advance(by: days * day) }
        return try await EnrolmentClient(identity: identity, now: { platform.clock.now() }).enrol(
            platform: try #require(URL(string: platform.address)), token: try await token(platform, name: name))
    }

    @Test("A kiosk enrols with a token and syncs over mutual TLS; its key stays on the kiosk, mode 0600", arguments: StorageKind.available)
    func enrolAndSync(storage: StorageKind) async throws {
        let platform = try await PlatformRig.start(storage, tls: true)
        let (folder, identity) = try Self.identity()
        let enrolled = try await EnrolmentClient(identity: identity).enrol(
            platform: try #require(URL(string: platform.address)), token: try await Self.token(platform, name: "KIOSK-0101"))
        #expect(enrolled.answer.kioskName == "KIOSK-0101")
        #expect(enrolled.answer.site == "测试县政务服务中心")
        #expect(enrolled.answer.signingKeys.count == 1)
        #expect(!enrolled.answer.sealingKey.id.isEmpty)
        let keyFile = folder + "/identity/device-key.pem"
        let mode = try #require(try FileManager.default.attributesOfItem(atPath: keyFile)[.posixPermissions] as? Int)
        #expect(mode == 0o600)

        let kiosk = try await KioskRig.start(platform: platform.address, identity: identity, folder: folder)
        let (caseID, _) = try await kiosk.submitCase(attachmentBytes: 20_000)
        let report = await kiosk.relay.syncPass()
        #expect(report.error == nil, "\(report.error ?? "")")
        let cases = try await platform.storage.cases()
        #expect(cases.map(\.caseID) == [caseID])
        #expect(cases.first?.kioskName == "KIOSK-0101")
        #expect(cases.allSatisfy { $0.missingAttachments.isEmpty })

        // The device key never left: no file of the platform holds it.
        let key = try String(contentsOfFile: keyFile, encoding: .utf8)
        let body = key.split(separator: "\n").filter { !$0.hasPrefix("-----") }.joined()
        for file in try FileManager.default.subpathsOfDirectory(atPath: platform.folder) {
            let data = (try? Data(contentsOf: URL(fileURLWithPath: platform.folder + "/" + file))) ?? Data()
            #expect(data.range(of: Data(body.utf8)) == nil, "the device key is in the platform's \(file)")
        }
    }

    @Test("Bad, used and expired tokens, a wrong platform, plain http, a clock far off and a dead address each get their own plain words")
    func refusals() async throws {
        let platform = try await PlatformRig.start(tls: true)
        let other = try await PlatformRig.start(tls: true)
        let address = try #require(URL(string: platform.address))
        let (_, identity) = try Self.identity()
        let client = EnrolmentClient(identity: identity)
        let token = try await Self.token(platform)

        func refusal(_ body: () async throws(TrustError) -> IdentityFolder.Enrolled) async -> TrustError? {
            do {
                _ = try await body()
                return nil
            } catch { return error }
        }

        let plain = await refusal { () async throws(TrustError) in
            try await client.enrol(platform: URL(string: platform.address.replacingOccurrences(of: "https:", with: "http:"))!, token: token)
        }
        #expect(plain?.code == .insecure)
        #expect(
            await refusal { () async throws(TrustError) in try await client.enrol(platform: address, token: "not-a-token") }?.code
                == .badToken)
        let pin = try #require(EnrolmentToken(token)).pin
        let unknown = await refusal { () async throws(TrustError) in
            try await client.enrol(platform: address, token: "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA.\(pin)")
        }
        #expect(unknown?.code == .badToken)
        #expect(unknown?.message.contains("does not know this token") == true)
        let elsewhere = await refusal { () async throws(TrustError) in
            try await client.enrol(platform: address, token: try! await Self.token(other))
        }
        #expect(elsewhere?.code == .wrongPlatform)
        #expect(elsewhere?.message.contains("not the one that made this token") == true)
        let skewed = await refusal { () async throws(TrustError) in
            try await EnrolmentClient(identity: identity, now: { Date().addingTimeInterval(3600) }).enrol(platform: address, token: token)
        }
        #expect(skewed?.code == .clock)
        #expect(skewed?.message.contains("60 min ahead") == true)
        let dead = await refusal { () async throws(TrustError) in
            try await client.enrol(platform: URL(string: "https://127.0.0.1:9")!, token: token)
        }
        #expect(dead?.code == .unreachable)
        // Nothing above used the token: it still enrols, once.
        _ = try await client.enrol(platform: address, token: token)
        let reused = await refusal { () async throws(TrustError) in try await client.enrol(platform: address, token: token) }
        #expect(reused?.code == .usedToken)

        let short = try await Self.token(platform, lifetime: 60)
        platform.clock.advance(by: 120)
        let expired = await refusal { () async throws(TrustError) in try await client.enrol(platform: address, token: short) }
        #expect(expired?.code == .expiredToken)
    }

    @Test(
        "The platform refuses a revoked kiosk, a certificate of another CA and an expired certificate; the kiosk refuses a platform of another CA"
    )
    func refusedCertificates() async throws {
        let platform = try await PlatformRig.start(tls: true)
        let other = try await PlatformRig.start(tls: true)
        let address = try #require(URL(string: platform.address))

        // Revoked: the next pass is refused in words.
        let (revokedFolder, revoked) = try Self.identity()
        let record = try await EnrolmentClient(identity: revoked).enrol(platform: address, token: try await Self.token(platform))
        let kiosk = try await KioskRig.start(platform: platform.address, identity: revoked, folder: revokedFolder)
        _ = try await kiosk.submitCase(attachmentBytes: 1_000)
        _ = try await platform.storage.revoke(kiosk: record.answer.kioskName, at: Date())
        let refused = await kiosk.relay.syncPass()
        #expect(refused.error?.contains("refuses this kiosk") == true, "\(refused.error ?? "no error")")
        #expect(try await platform.storage.cases().isEmpty)

        // Another CA's kiosk: the kiosk does not trust this platform, and this platform does
        // not take the kiosk's certificate even when the kiosk is made to trust it.
        let (strangerFolder, stranger) = try Self.identity()
        _ = try await EnrolmentClient(identity: stranger).enrol(
            platform: try #require(URL(string: other.address)), token: try await Self.token(other))
        let lost = try await KioskRig.start(platform: platform.address, identity: stranger, folder: strangerFolder)
        _ = try await lost.submitCase(attachmentBytes: 1_000)
        let wrongCA = await lost.relay.syncPass()
        #expect(wrongCA.error?.contains("TLS handshake") == true, "\(wrongCA.error ?? "no error")")
        var forced = try stranger.clientTLS()
        forced.trustRoots = .certificates([
            try NIOSSLCertificate(bytes: Array(try #require(platform.enrolment).authority.caPEM.utf8), format: .pem)
        ])
        await #expect(throws: (any Error).self) { _ = try await Self.heartbeat(platform.address, tls: forced) }

        // Expired: issued 40 days ago for 30 days.
        let (expiredFolder, expired) = try Self.identity()
        _ = try await Self.enrolled(expired, daysAgo: 40, on: platform)
        let late = try await KioskRig.start(platform: platform.address, identity: expired, folder: expiredFolder)
        let pass = await late.relay.syncPass()
        #expect(pass.error?.contains("certificate expired") == true, "\(pass.error ?? "no error")")
        await #expect(throws: (any Error).self) { _ = try await Self.heartbeat(platform.address, tls: try expired.clientTLS()) }

        // And a valid kiosk of this platform passes the same raw request (the check can fail).
        let (_, good) = try Self.identity()
        _ = try await EnrolmentClient(identity: good).enrol(platform: address, token: try await Self.token(platform))
        #expect(try await Self.heartbeat(platform.address, tls: try good.clientTLS()) == 200)
    }

    @Test(
        "The certificate renews itself from half its lifetime; after an expiry offline, a token for the kiosk re-enrols it with its old key"
    )
    func renewalAndReenrolment() async throws {
        let platform = try await PlatformRig.start(tls: true)
        let address = try #require(URL(string: platform.address))
        let (folder, identity) = try Self.identity()
        let first = try await Self.enrolled(identity, daysAgo: 20, on: platform, name: "KIOSK-0202")
        let key = try Data(contentsOf: URL(fileURLWithPath: folder + "/identity/device-key.pem"))

        let kiosk = try await KioskRig.start(platform: platform.address, identity: identity, folder: folder)
        _ = try await kiosk.submitCase(attachmentBytes: 1_000)
        let renewedPass = await kiosk.relay.syncPass()
        #expect(renewedPass.error == nil, "\(renewedPass.error ?? "")")
        let renewed = try #require(try identity.enrolled())
        #expect(renewed.notAfter > first.notAfter.addingTimeInterval(19 * Self.day))
        #expect(renewed.answer.kioskID == first.answer.kioskID)
        #expect(try Data(contentsOf: URL(fileURLWithPath: folder + "/identity/device-key.pem")) == key)

        // Expired while offline: the pass says how to come back; a re-enrolment token does it.
        let (laterFolder, later) = try Self.identity()
        let old = try await Self.enrolled(later, daysAgo: 40, on: platform, name: "KIOSK-0303")
        let laterKey = try Data(contentsOf: URL(fileURLWithPath: laterFolder + "/identity/device-key.pem"))
        let offline = try await KioskRig.start(platform: platform.address, identity: later, folder: laterFolder)
        _ = try await offline.submitCase(attachmentBytes: 1_000)
        let stuck = await offline.relay.syncPass()
        #expect(stuck.error?.contains("--kiosk KIOSK-0303") == true, "\(stuck.error ?? "no error")")
        let back = try await EnrolmentClient(identity: later).enrol(
            platform: address, token: try await Self.token(platform, reenrol: old.answer.kioskID))
        #expect(back.answer.kioskID == old.answer.kioskID)
        #expect(try Data(contentsOf: URL(fileURLWithPath: laterFolder + "/identity/device-key.pem")) == laterKey)
        #expect(await offline.relay.syncPass().error == nil)
        #expect(try await platform.storage.cases().count == 2)
    }

    /// A raw heartbeat with `tls`: the HTTP status, or a thrown TLS error.
    static func heartbeat(_ address: String, tls: TLSConfiguration) async throws -> UInt {
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(tlsConfiguration: tls))
        var request = HTTPClientRequest(url: address + "/sync/v1/heartbeats")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(
            ByteBuffer(
                string: #"{"sentAt":"2026-01-01T00:00:00Z","uptimeSeconds":1,"devices":[],"queueDepth":0,"versions":{"software":"t"}}"#))
        do {
            let response = try await client.execute(request, timeout: .seconds(10))
            try await client.shutdown()
            return response.status.code
        } catch {
            try? await client.shutdown()
            throw error
        }
    }
}
