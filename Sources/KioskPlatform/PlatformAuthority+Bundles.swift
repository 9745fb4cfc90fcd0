import Crypto
import Foundation
import KioskTrust

extension PlatformAuthority {
    /// Signs the YAML files of `folder` as the next `kind` bundle and announces it to every
    /// kiosk. With `rotateKey`, the bundle names a new signing key and is signed by the old key
    /// and the new (kiosks trust the new key only through the old one); the new key replaces
    /// the old in the folder once the bundle is published, the old one kept as retired.
    public func publish(
        folder source: String, kind: BundleContent.Kind, expiresIn: TimeInterval, storage: any PlatformStorage, rotateKey: Bool = false,
        now: Date = Date()
    ) async throws(PlatformError) -> Int {
        let files = try Self.bundleFiles(source)
        guard !files.isEmpty else { throw PlatformError(.badRequest, "no .yaml files in \(source)") }
        return try await publish(files: files, kind: kind, expiresIn: expiresIn, storage: storage, rotateKey: rotateKey, now: now)
    }

    /// Signs `files` (relative path → base64) as the next `kind` bundle and announces it.
    func publish(
        files: [String: String], kind: BundleContent.Kind, expiresIn: TimeInterval, storage: any PlatformStorage, rotateKey: Bool = false,
        now: Date = Date()
    ) async throws(PlatformError) -> Int {
        let current: Curve25519.Signing.PrivateKey
        do { current = try signingKey() } catch { throw PlatformError(.keys, "the signing key cannot be read: \(error)") }
        let next = rotateKey ? Curve25519.Signing.PrivateKey() : nil
        // Raw bytes cross into the storage's transaction (swift-crypto's keys are not Sendable).
        let raws = ([current] + (next.map { [$0] } ?? [])).map(\.rawRepresentation)
        let named = next.map { [$0.publicKey.rawRepresentation.base64EncodedString()] }
        let version = try await storage.publishBundle(kind: kind.rawValue, at: now) { version in
            let content = BundleContent(
                kind: kind, version: version, publishedAt: now, expires: now.addingTimeInterval(expiresIn), files: files, signingKeys: named
            )
            let keys = try raws.map { try Curve25519.Signing.PrivateKey(rawRepresentation: $0) }
            return try EnrolmentJSON.encoder.encode(try SignedBundle.sign(content, with: keys))
        }
        if let next {
            let file = folder.appendingPathComponent("signing-ed25519.key")
            let retired = folder.appendingPathComponent("signing-ed25519.retired-\(Int(now.timeIntervalSince1970))")
            do {
                try FileManager.default.copyItem(at: file, to: retired)
                try Self.write(Data(next.rawRepresentation.base64EncodedString().utf8), to: file)
            } catch {
                throw PlatformError(.keys, "bundle \(version) names the new key, but it could not be stored: \(error)")
            }
        }
        return version
    }

    /// Relative path → base64 of every `.yaml`/`.yml` file under `folder`.
    static func bundleFiles(_ folder: String) throws(PlatformError) -> [String: String] {
        let root = URL(fileURLWithPath: folder).standardizedFileURL
        guard let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: [.isRegularFileKey]) else {
            throw PlatformError(.badRequest, "\(folder) cannot be read")
        }
        var files: [String: String] = [:]
        for case let url as URL in walker where ["yaml", "yml"].contains(url.pathExtension) {
            let path = url.standardizedFileURL.path.dropFirst(root.path.count).drop { $0 == "/" }
            guard let data = try? Data(contentsOf: url) else { throw PlatformError(.badRequest, "\(url.path) cannot be read") }
            files[String(path)] = data.base64EncodedString()
        }
        return files
    }
}

extension PlatformAuthority {
    /// Signs `profile` (a site profile, site.yaml) as the next `configuration` bundle for the
    /// kiosks `kioskIDs` (`sites/<id>.yaml` each) and announces it; each kiosk checks it against
    /// its own kiosk.yaml and reads it at its next start.
    public func publishSiteProfile(
        _ profile: Data, kioskIDs: [String], expiresIn: TimeInterval, storage: any PlatformStorage, now: Date = Date()
    ) async throws(PlatformError) -> Int {
        guard !kioskIDs.isEmpty else { throw PlatformError(.badRequest, "name at least one kiosk (--kiosk)") }
        let files = Dictionary(uniqueKeysWithValues: kioskIDs.map { ("sites/\($0).yaml", profile.base64EncodedString()) })
        return try await publish(files: files, kind: .configuration, expiresIn: expiresIn, storage: storage, now: now)
    }
}
