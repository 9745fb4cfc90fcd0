import Foundation
import KioskAudit
import KioskTrust

/// How the relay reaches the platform and paces itself.
public struct SyncSettings: Sendable, Equatable {
    /// The platform's base address (`https://platform.example/`); the contract lives under `/sync/v1`.
    public var platform: URL
    /// A bearer credential: only for a plain-HTTP platform on loopback (tests, benchmarks).
    public var credential: String
    /// The kiosk's enrolled identity: every exchange over mutual TLS with it, and the
    /// certificate renewed from half its lifetime on. Takes the place of `credential`.
    public var identity: IdentityFolder?
    /// Cases per batch.
    public var batchSize = 50
    /// Bytes per attachment `PATCH`.
    public var chunkBytes = 1 << 20
    /// Attachments uploading at once.
    public var parallelUploads = 3
    /// Pause between passes when everything is sent.
    public var interval: Duration = .seconds(5)
    /// Heartbeats, and one at once on a device fault.
    public var heartbeatInterval: Duration = .seconds(60)
    /// Backoff after failures: full jitter over base × 2ⁿ, capped.
    public var backoffBase: Duration = .seconds(1)
    public var backoffCap: Duration = .seconds(300)
    /// One request's time limit.
    public var requestTimeout: Duration = .seconds(30)
    /// How long a case's sealed part stays after the platform acknowledged it.
    public var retention: TimeInterval = 86_400
    /// Where renewals, installed and refused bundles and purges are recorded.
    public var audit: AuditTrail?

    public init(platform: URL, credential: String) {
        self.platform = platform
        self.credential = credential
    }

    public init(platform: URL, identity: IdentityFolder) {
        self.platform = platform
        credential = ""
        self.identity = identity
    }
}
