import Crypto
import Foundation

/// The SHA-256 of a payload, as the platform's idempotency check compares it.
public enum ContentHash {
    public static func sha256Hex(_ data: Data) -> String {
        SHA256.hash(data: data).map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }

    /// The SHA-256 in base64, as tus's `Upload-Checksum` carries it.
    public static func sha256Base64(_ data: Data) -> String { Data(SHA256.hash(data: data)).base64EncodedString() }
}
