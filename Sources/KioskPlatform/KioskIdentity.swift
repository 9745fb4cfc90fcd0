import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import KioskTrust
import NIOCore

/// The one seam where a request becomes "kiosk X": the kiosk's TLS certificate
/// (``CertificateAuthenticator``), or on loopback test platforms a bearer credential. Nothing
/// else in the platform looks at credentials.
public protocol KioskAuthenticator: Sendable {
    /// The kiosk making `request` on `channel`, or `nil` when it is not one the platform knows.
    func kiosk(for request: Request, channel: any Channel) async throws(PlatformError) -> KioskRecord?
}

/// The kiosk on whose behalf the current request runs (set by ``KioskAuthentication``).
public enum KioskIdentity {
    @TaskLocal public static var current: KioskRecord?
}

/// Per-kiosk bearer credentials, made by `kiosk-platform kiosk add NAME`; only their SHA-256 is
/// stored. Served only by a plain-HTTP platform on loopback (tests, benchmarks): a platform on
/// the network authenticates kiosks by certificate alone.
public struct BearerAuthenticator: KioskAuthenticator {
    let storage: any PlatformStorage

    public init(storage: any PlatformStorage) {
        self.storage = storage
    }

    public func kiosk(for request: Request, channel: any Channel) async throws(PlatformError) -> KioskRecord? {
        guard let header = request.headers[.authorization], header.hasPrefix("Bearer ") else { return nil }
        let credential = String(header.dropFirst("Bearer ".count))
        guard !credential.isEmpty, credential.count <= 256 else { return nil }
        return try await storage.kiosk(credentialSHA256: Self.digest(credential))
    }

    /// A fresh credential: 256 random bits, hex.
    public static func newCredential() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
    }

    public static func digest(_ credential: String) -> String {
        SHA256.hash(data: Data(credential.utf8)).map { String(format: "%02x", $0) }.joined()
    }
}

/// Refuses sync requests that are not from a known kiosk, and runs the others as that kiosk.
struct KioskAuthentication: RouterMiddleware {
    typealias Context = PlatformRequestContext
    let authenticator: any KioskAuthenticator

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let path = request.uri.path
        guard path.hasPrefix("/sync/") || path == EnrolmentPaths.renewal else { return try await next(request, context) }
        guard let kiosk = try await authenticator.kiosk(for: request, channel: context.channel) else {
            var response = ProblemResponse.make(
                .unauthorized, code: "unauthenticated",
                message:
                    "not a kiosk this platform knows: connect with the kiosk's certificate (enrol it with 'kioskctl enroll'); a revoked kiosk is refused"
            )
            response.headers[.wwwAuthenticate] = "Bearer"
            return response
        }
        return try await KioskIdentity.$current.withValue(kiosk) { try await next(request, context) }
    }
}
