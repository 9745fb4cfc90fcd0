import Crypto
import Foundation

/// The SHA-256 of a payload, as the platform's idempotency check compares it.
enum ContentHash {
    static func sha256Hex(_ data: Data) -> String {
        SHA256.hash(data: data).map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }
}
