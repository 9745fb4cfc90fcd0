import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOSSL
import SwiftASN1
import X509

/// Enrols a kiosk with a platform and renews its certificate (the kiosk's side of
/// `/enrol/v1`). Each step says what went wrong in words a technician can act on.
public struct EnrolmentClient: Sendable {
    public let identity: IdentityFolder
    /// How far the kiosk's clock may be from the platform's before enrolment is refused.
    public var maxClockSkew: TimeInterval = 300
    public var timeout: TimeAmount = .seconds(20)
    let now: @Sendable () -> Date

    public init(identity: IdentityFolder, now: @escaping @Sendable () -> Date = { Date() }) {
        self.identity = identity
        self.now = now
    }

    /// Enrols with `platform` using the technician's `token`; returns the stored identity.
    /// A kiosk enrolled before keeps its key (re-enrolment after an expiry, with a new token).
    public func enrol(platform: URL, token text: String) async throws(TrustError) -> IdentityFolder.Enrolled {
        guard platform.scheme?.lowercased() == "https", let host = platform.host, !host.isEmpty else {
            throw TrustError(.insecure, "the platform address must be https://HOST[:PORT]/, not '\(platform.absoluteString)'")
        }
        guard let token = EnrolmentToken(text) else {
            throw TrustError(
                .badToken, "that is not an enrolment token (it looks like SECRET.PIN; make one with 'kiosk-platform token create')")
        }
        // 1. The platform's authority, over a connection not yet trusted: only the pin decides.
        var discovery = TLSConfiguration.makeClientConfiguration()
        discovery.certificateVerification = .none
        let (status, body) = try await exchange(.GET, platform, EnrolmentPaths.authority, tls: discovery, body: nil)
        guard status == .ok, let authority = try? EnrolmentJSON.decoder.decode(AuthorityAnswer.self, from: body),
            let certificate = try? Certificate(pemEncoded: authority.certificate)
        else {
            throw TrustError(.wrongPlatform, "\(platform.absoluteString) answers, but not as a kiosk platform (HTTP \(status.code))")
        }
        let der: [UInt8]
        do {
            var serializer = DER.Serializer()
            try serializer.serialize(certificate)
            der = serializer.serializedBytes
        } catch {
            throw TrustError(.wrongPlatform, "the platform's authority cannot be read: \(error)")
        }
        guard EnrolmentToken.pin(authorityDER: der) == token.pin else {
            throw TrustError(
                .wrongPlatform,
                "the platform at \(platform.absoluteString) is not the one that made this token; check the address (or ask for a token from this platform)"
            )
        }
        let skew = now().timeIntervalSince(authority.serverTime)
        guard abs(skew) <= maxClockSkew else {
            throw TrustError(
                .clock,
                "this kiosk's clock is \(Int(abs(skew) / 60)) min \(skew > 0 ? "ahead of" : "behind") the platform's; set the time (timedatectl set-ntp true) and enrol again"
            )
        }
        // 2. Enrol over TLS verified against that authority.
        var verified = TLSConfiguration.makeClientConfiguration()
        verified.trustRoots = .certificates([try nioCertificate(authority.certificate)])
        let name = (try? identity.enrolled())??.answer.kioskName
        let request = EnrolmentRequest(token: token.description, csr: try identity.signingRequest(name: name))
        let (answerStatus, answerBody) = try await exchange(.POST, platform, EnrolmentPaths.enrol, tls: verified, body: try encode(request))
        guard answerStatus == .created || answerStatus == .ok else { throw refusal(answerStatus, answerBody) }
        guard let answer = try? EnrolmentJSON.decoder.decode(EnrolmentAnswer.self, from: answerBody) else {
            throw TrustError(.wrongPlatform, "the platform's answer to the enrolment cannot be read")
        }
        return try identity.store(answer, platform: platform)
    }

    /// Renews the certificate over mutual TLS with the current one (same key).
    public func renew() async throws(TrustError) -> IdentityFolder.Enrolled {
        guard let enrolled = try identity.enrolled() else {
            throw TrustError(.notEnrolled, "this kiosk is not enrolled; run 'kioskctl enroll --platform URL --token TOKEN'")
        }
        let request = RenewalRequest(csr: try identity.signingRequest(name: enrolled.answer.kioskName))
        let (status, body) = try await exchange(
            .POST, enrolled.platform, EnrolmentPaths.renewal, tls: try identity.clientTLS(), body: try encode(request))
        guard status == .created || status == .ok else { throw refusal(status, body) }
        guard let answer = try? EnrolmentJSON.decoder.decode(EnrolmentAnswer.self, from: body) else {
            throw TrustError(.wrongPlatform, "the platform's answer to the renewal cannot be read")
        }
        return try identity.store(answer, platform: enrolled.platform)
    }

    /// The platform's problem answer in a technician's words.
    private func refusal(_ status: HTTPResponseStatus, _ body: Data) -> TrustError {
        struct Problem: Decodable {
            struct Detail: Decodable {
                var code: String?
                var message: String?
            }
            var error: Detail
        }
        let problem = (try? JSONDecoder().decode(Problem.self, from: body))?.error
        let said = problem?.message ?? "HTTP \(status.code)"
        switch problem?.code {
        case "unknown-token":
            return TrustError(.badToken, "the platform does not know this token (\(said)); check it, or make a new one")
        case "used-token":
            return TrustError(.usedToken, "this token was used already (\(said)); tokens are single-use: make a new one")
        case "expired-token":
            return TrustError(.expiredToken, "this token has expired (\(said)); make a new one with 'kiosk-platform token create'")
        default:
            return TrustError(.refused, "the platform refused: \(said)")
        }
    }

    private func encode(_ message: some Encodable) throws(TrustError) -> Data {
        do { return try EnrolmentJSON.encoder.encode(message) } catch { throw TrustError(.files, "cannot encode the request: \(error)") }
    }

    private func nioCertificate(_ pem: String) throws(TrustError) -> NIOSSLCertificate {
        do { return try NIOSSLCertificate(bytes: Array(pem.utf8), format: .pem) } catch {
            throw TrustError(.wrongPlatform, "the platform's authority cannot be read: \(error)")
        }
    }

    /// One request with its own client (shut down after), the body JSON.
    private func exchange(
        _ method: HTTPMethod, _ platform: URL, _ path: String, tls: TLSConfiguration, body: Data?
    ) async throws(TrustError) -> (HTTPResponseStatus, Data) {
        var configuration = HTTPClient.Configuration(tlsConfiguration: tls, redirectConfiguration: .disallow)
        configuration.timeout = .init(connect: .seconds(10), read: timeout)
        // A refused connection or handshake is the answer: no retrying until the deadline.
        configuration.connectionPool.retryConnectionEstablishment = false
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        let address = platform.absoluteString.hasSuffix("/") ? String(platform.absoluteString.dropLast()) : platform.absoluteString
        var request = HTTPClientRequest(url: address + path)
        request.method = method
        let result: Result<(HTTPResponseStatus, Data), TrustError>
        do {
            if let body {
                request.headers.add(name: "Content-Type", value: "application/json")
                request.body = .bytes(ByteBuffer(bytes: body))
            }
            let response = try await client.execute(request, timeout: timeout)
            let bytes = try await response.body.collect(upTo: 1 << 20)
            result = .success((response.status, Data(bytes.readableBytesView)))
        } catch let error as NIOSSLError {
            result = .failure(
                TrustError(.wrongPlatform, "the TLS handshake with \(address) failed (\(error)): not the platform of this token"))
        } catch let error as BoringSSLError {
            result = .failure(
                TrustError(.wrongPlatform, "the TLS handshake with \(address) failed (\(error)): not the platform of this token"))
        } catch {
            result = .failure(TrustError(.unreachable, "nothing answers at \(address) (\(error)); check the address and the network"))
        }
        try? await client.shutdown()
        return try result.get()
    }
}
