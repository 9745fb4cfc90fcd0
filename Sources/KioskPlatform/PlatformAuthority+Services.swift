import Foundation
import KioskTrust

extension PlatformAuthority {
    /// How long a published query-service list stays valid; it is published again at the
    /// platform's start once less than half of that is left.
    static let servicesLifetime: TimeInterval = 365 * 24 * 3600

    /// Publishes the query-service list as the next signed `services` bundle, unless the newest
    /// one holds the same list and is far from expiring. Returns the version published, or nil.
    @discardableResult
    public func publishQueryServices(
        _ office: CertificateOffice, storage: any PlatformStorage, now: Date = Date()
    )
        async throws(PlatformError) -> Int?
    {
        let list: Data
        do { list = try office.publishedList() } catch {
            throw PlatformError(.badRequest, "the query services cannot be encoded: \(error)")
        }
        let files = [QueryServiceFile.name: list.base64EncodedString()]
        // The newest published version, found by walking up (a list changes rarely).
        var newest: BundleContent?
        var version = 1
        while let envelope = try await storage.bundle(kind: BundleContent.Kind.services.rawValue, version: version) {
            if let bundle = try? EnrolmentJSON.decoder.decode(SignedBundle.self, from: envelope),
                let payload = Data(base64Encoded: bundle.payload)
            {
                newest = try? EnrolmentJSON.decoder.decode(BundleContent.self, from: payload)
            }
            version += 1
        }
        if let newest, newest.files == files, newest.expires.timeIntervalSince(now) > Self.servicesLifetime / 2 { return nil }
        return try await publish(files: files, kind: .services, expiresIn: Self.servicesLifetime, storage: storage, now: now)
    }
}

/// The file of a `services` bundle (the kiosk reads it as `QueryService.file`).
enum QueryServiceFile {
    static let name = "query-services.json"
}
