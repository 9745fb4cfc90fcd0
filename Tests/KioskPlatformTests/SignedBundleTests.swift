import Crypto
import Foundation
import KioskCatalog
import KioskCore
import KioskPlatform
import KioskStore
import KioskSync
import KioskTrust
import Testing

/// Signed catalogues from `catalog publish` to the kiosk's shelf, over the changes feed and
/// mutual TLS (real platform, real TLS on loopback, real kiosk store).
@Suite("Signed catalogues reach enrolled kiosks: verified, installed, and refused with the reason when forged, replayed or expired")
struct SignedBundleTests {
    static let catalog = PlatformRig.repository.appendingPathComponent("Provisioning/catalog").path

    /// A forged catalogue's content.
    @Sendable static func content(_ version: Int, expires: TimeInterval = 86_400) -> BundleContent {
        BundleContent(
            kind: .catalog, version: version, publishedAt: Date(), expires: Date().addingTimeInterval(expires),
            files: ["bundles/forged.yaml": Data("id: forged\n".utf8).base64EncodedString()])
    }

    @Test(
        "A published catalogue is installed; tampered, foreign-key, replayed and expired ones are refused, the current one stays, and the platform hears why",
        arguments: StorageKind.available)
    func publishedCatalogue(storage: StorageKind) async throws {
        let platform = try await PlatformRig.start(storage, tls: true)
        let enrolment = try #require(platform.enrolment)
        let authority = enrolment.authority
        let (folder, identity) = try EnrolmentTests.identity()
        _ = try await EnrolmentClient(identity: identity).enrol(
            platform: try #require(URL(string: platform.address)), token: try await EnrolmentTests.token(platform))
        let kiosk = try await KioskRig.start(platform: platform.address, identity: identity, folder: folder)
        let shelf = BundleShelf(stateDirectory: folder)

        // Version 1: published, announced, fetched, verified, installed.
        let first = try await authority.publish(folder: Self.catalog, kind: .catalog, expiresIn: 30 * 86_400, storage: platform.storage)
        #expect(first == 1)
        let installed = await kiosk.relay.syncPass()
        #expect(installed.error == nil, "\(installed.error ?? "")")
        #expect(shelf.state().versions["catalog"] == 1)
        let current = try #require(shelf.current(.catalog))
        let loaded = CatalogLoader.load(directory: current.path)
        #expect(loaded.problems.isEmpty)
        #expect(loaded.catalog.bundles.count == CatalogLoader.load(directory: Self.catalog).catalog.bundles.count)
        var figures = try await kiosk.store.syncFigures()
        #expect(figures.staged["catalog-version"] == nil)
        #expect(figures.installed["catalog-version"] == 1)

        // Forged ones, each announced as the next version.
        let signing = try authority.signingKey().rawRepresentation
        let stranger = Curve25519.Signing.PrivateKey().rawRepresentation
        func publish(_ make: @escaping @Sendable (Int) throws -> SignedBundle) async throws {
            _ = try await platform.storage.publishBundle(kind: "catalog", at: Date()) { version in
                try EnrolmentJSON.encoder.encode(try make(version))
            }
        }
        let cases: [(code: String, make: @Sendable (Int) throws -> SignedBundle)] = [
            (
                "tampered",
                { version in
                    var bundle = try SignedBundle.sign(
                        Self.content(version), with: [try Curve25519.Signing.PrivateKey(rawRepresentation: signing)])
                    var bytes = Data(base64Encoded: bundle.payload)!
                    bytes[bytes.count - 3] ^= 0x20
                    bundle.payload = bytes.base64EncodedString()
                    return bundle
                }
            ),
            (
                "wrong-key",
                { version in
                    try SignedBundle.sign(Self.content(version), with: [try Curve25519.Signing.PrivateKey(rawRepresentation: stranger)])
                }
            ),
            (
                "rollback",
                { _ in try SignedBundle.sign(Self.content(1), with: [try Curve25519.Signing.PrivateKey(rawRepresentation: signing)]) }
            ),
            (
                "expired",
                { version in
                    try SignedBundle.sign(
                        Self.content(version, expires: -60), with: [try Curve25519.Signing.PrivateKey(rawRepresentation: signing)])
                }
            ),
        ]
        for (code, make) in cases {
            try await publish(make)
            let pass = await kiosk.relay.syncPass()
            #expect(pass.error == nil, "\(code): \(pass.error ?? "")")
            #expect(shelf.state().refused["catalog"]?.code == code)
            #expect(shelf.state().versions["catalog"] == 1, "\(code) replaced the catalogue")
            #expect(shelf.current(.catalog) == current)
        }
        // The platform hears the last refusal with the kiosk's heartbeat.
        await kiosk.relay.sendHeartbeat()
        let fleet = try await FleetEntry.fleet(platform.storage)
        #expect(fleet.first?.refusedBundles.first?.contains("expired") == true, "\(fleet.first?.refusedBundles ?? [])")
        figures = try await kiosk.store.syncFigures()
        #expect(figures.catalogSupersededAt != nil, "a newer catalogue was announced and not installed")

        // A rotation: the old key names the new; the next version, signed by the new key alone, is installed.
        let rotated = try await authority.publish(
            folder: Self.catalog, kind: .catalog, expiresIn: 30 * 86_400, storage: platform.storage, rotateKey: true)
        let afterRotation = try await authority.publish(
            folder: Self.catalog, kind: .catalog, expiresIn: 30 * 86_400, storage: platform.storage)
        #expect(await kiosk.relay.syncPass().error == nil)
        #expect(shelf.state().versions["catalog"] == afterRotation)
        #expect(afterRotation == rotated + 1)
        #expect(shelf.state().signingKeys == [authority.signingPublicKey])
        #expect(shelf.state().refused["catalog"] == nil)
        #expect(try await kiosk.store.syncFigures().staged["catalog-version"] == nil)
    }

    @Test("A kiosk enrolled after a catalogue was published receives the one in force")
    func enrolledLater() async throws {
        let platform = try await PlatformRig.start(tls: true)
        let authority = try #require(platform.enrolment).authority
        _ = try await authority.publish(folder: Self.catalog, kind: .catalog, expiresIn: 86_400, storage: platform.storage)
        let second = try await authority.publish(folder: Self.catalog, kind: .catalog, expiresIn: 86_400, storage: platform.storage)
        let (folder, identity) = try EnrolmentTests.identity()
        _ = try await EnrolmentClient(identity: identity).enrol(
            platform: try #require(URL(string: platform.address)), token: try await EnrolmentTests.token(platform))
        let kiosk = try await KioskRig.start(platform: platform.address, identity: identity, folder: folder)
        #expect(await kiosk.relay.syncPass().error == nil)
        #expect(BundleShelf(stateDirectory: folder).state().versions["catalog"] == second)
    }
}
