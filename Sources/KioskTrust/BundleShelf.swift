import Foundation

/// The signed bundles a kiosk installed, in `bundles/` under the state folder:
///
/// - `bundles/<kind>/<version>/…`: each accepted version's files, as signed;
/// - `bundles/<kind>/current`: a symbolic link to the one in use, swapped by rename;
/// - `bundles/trust.json`: the signing keys trusted now, the last version trusted of each
///   kind (a replay of anything older is refused even after a restart), each one's expiry, and
///   the last refusal of each kind with its reason.
public struct BundleShelf: Sendable {
    public let folder: URL
    let identity: IdentityFolder

    public init(stateDirectory: String) {
        folder = URL(fileURLWithPath: stateDirectory).appendingPathComponent("bundles")
        identity = IdentityFolder(stateDirectory: stateDirectory)
    }

    public struct State: Codable, Sendable, Equatable {
        /// Raw Ed25519 public keys (base64); none yet means the enrolment's keys.
        public var signingKeys: [String]?
        public var versions: [String: Int] = [:]
        /// The highest version examined, accepted or refused: none is fetched twice.
        public var checked: [String: Int] = [:]
        public var expires: [String: Date] = [:]
        public var refused: [String: Refusal] = [:]

        public init() {}
    }

    /// Why a bundle was not installed.
    public struct Refusal: Codable, Sendable, Equatable {
        public var version: Int
        public var code: String
        public var reason: String
        public var at: Date
    }

    var stateFile: URL { folder.appendingPathComponent("trust.json") }

    public func state() -> State {
        (try? Data(contentsOf: stateFile)).flatMap { try? EnrolmentJSON.decoder.decode(State.self, from: $0) } ?? State()
    }

    /// The keys bundles must be signed with now.
    public func trustedKeys() -> [String] {
        state().signingKeys ?? ((try? identity.enrolled())??.answer.signingKeys ?? [])
    }

    /// The folder of the `kind` in use, when one was installed.
    public func current(_ kind: BundleContent.Kind) -> URL? {
        let link = folder.appendingPathComponent("\(kind.rawValue)/current")
        guard let target = try? FileManager.default.destinationOfSymbolicLink(atPath: link.path) else { return nil }
        return link.deletingLastPathComponent().appendingPathComponent(target)
    }

    /// Verifies `bundle` and installs it as the `kind` in use; on a refusal, nothing changes
    /// but the refusal noted. Returns what was installed and where.
    public func accept(
        _ bundle: SignedBundle, kind: BundleContent.Kind, announced: Int, now: Date
    ) throws(TrustError) -> (
        BundleContent, URL
    ) {
        var state = state()
        state.checked[kind.rawValue] = max(state.checked[kind.rawValue] ?? 0, announced)
        let content: BundleContent
        do {
            content = try BundleVerifier(trustedKeys: trustedKeys()).verify(
                bundle, kind: kind, newerThan: state.versions[kind.rawValue], now: now)
        } catch {
            let claimed = Self.version(of: bundle) ?? 0
            state.refused[kind.rawValue] = Refusal(version: claimed, code: error.code.description, reason: error.message, at: now)
            try? save(state)
            throw error
        }
        let target = folder.appendingPathComponent("\(kind.rawValue)/\(content.version)")
        do {
            let manager = FileManager.default
            try? manager.removeItem(at: target)
            for (path, base64) in content.files {
                let file = target.appendingPathComponent(path)
                try manager.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
                try Data(base64Encoded: base64)?.write(to: file, options: .atomic)
            }
            // The link to the new version replaces the old one in one rename.
            let link = folder.appendingPathComponent("\(kind.rawValue)/current")
            let fresh = folder.appendingPathComponent("\(kind.rawValue)/.current-\(getpid())")
            try? manager.removeItem(at: fresh)
            try manager.createSymbolicLink(atPath: fresh.path, withDestinationPath: String(content.version))
            guard rename(fresh.path, link.path) == 0 else { throw TrustError(.files, "cannot switch \(link.path)") }
        } catch let error as TrustError {
            throw error
        } catch {
            throw TrustError(.files, "the \(kind.rawValue) bundle cannot be installed in \(target.path): \(error)")
        }
        state.versions[kind.rawValue] = content.version
        state.expires[kind.rawValue] = content.expires
        state.refused[kind.rawValue] = nil
        if let keys = content.signingKeys { state.signingKeys = keys }
        try save(state)
        return (content, target)
    }

    private func save(_ state: State) throws(TrustError) {
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            try EnrolmentJSON.encoder.encode(state).write(to: stateFile, options: .atomic)
        } catch {
            throw TrustError(.files, "\(stateFile.path) cannot be written: \(error)")
        }
    }

    /// The version a bundle claims, read without trusting it (for the refusal's record).
    private static func version(of bundle: SignedBundle) -> Int? {
        Data(base64Encoded: bundle.payload).flatMap { try? EnrolmentJSON.decoder.decode(BundleContent.self, from: $0) }?.version
    }
}
