import Crypto
import Foundation

/// A single-use enrolment token as the technician types or scans it: `SECRET.PIN`.
///
/// The secret authorises one enrolment; the pin is the SHA-256 of the platform's CA
/// certificate (first 24 bytes, base64url), so the kiosk trusts the platform it reaches only
/// if it is the one that made the token (kubeadm's discovery hash, carried in the token).
public struct EnrolmentToken: Sendable, Equatable, CustomStringConvertible {
    public let secret: String
    public let pin: String

    public init(secret: String, pin: String) {
        self.secret = secret
        self.pin = pin
    }

    /// Parses a token; `nil` when it does not have the shape of one.
    public init?(_ text: String) {
        let parts = text.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, parts.allSatisfy({ part in !part.isEmpty && part.allSatisfy(Self.isBase64URL) }),
            parts[0].count >= 22, parts[0].count <= 64, parts[1].count == 32
        else { return nil }
        secret = String(parts[0])
        pin = String(parts[1])
    }

    public var description: String { "\(secret).\(pin)" }

    /// A fresh token for the authority whose certificate is `authorityDER`: 24 random bytes.
    /// Never one starting with `-`: typed after `--token`, the command line would take it for
    /// an option (one token in 64 failed `kioskctl enroll` with a usage error).
    public static func make(authorityDER: [UInt8]) -> EnrolmentToken {
        var generator = SystemRandomNumberGenerator()
        var secret: String
        repeat {
            secret = base64URL((0..<24).map { _ in UInt8.random(in: 0...255, using: &generator) })
        } while secret.hasPrefix("-")
        return EnrolmentToken(secret: secret, pin: pin(authorityDER: authorityDER))
    }

    /// The pin of a CA certificate's DER bytes.
    public static func pin(authorityDER: [UInt8]) -> String {
        base64URL(Array(SHA256.hash(data: authorityDER).prefix(24)))
    }

    /// What the platform stores of a token: its secret's SHA-256, hex.
    public var secretDigest: String { Self.digest(secret) }

    public static func digest(_ secret: String) -> String {
        SHA256.hash(data: Data(secret.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    static func base64URL(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    private static func isBase64URL(_ character: Character) -> Bool {
        character.isASCII && (character.isLetter || character.isNumber || character == "-" || character == "_")
    }
}
